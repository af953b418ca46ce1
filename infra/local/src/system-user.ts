import { execFileSync, spawnSync } from 'node:child_process';
import { StackError } from './errors';

/** A non-root account to run a process as. */
export interface SystemUser {
  name: string;
  uid: number;
  gid: number;
}

function lookup(name: string): SystemUser | null {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return null;
  return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * The first of `candidates` that exists; when none does, the last one is created as a system user
 * (only root gets here: it is the only caller that needs another account).
 */
export function ensureSystemUser(candidates: string[]): SystemUser {
  for (const name of candidates) {
    const user = lookup(name);
    if (user) return user;
  }
  const name = candidates[candidates.length - 1];
  if (!name) throw new StackError('no system user name given');
  try {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name], { stdio: 'pipe' });
  } catch (error) {
    throw new StackError(`cannot create system user ${name} to run postgres: ${(error as Error).message}`);
  }
  const created = lookup(name);
  if (!created) throw new StackError(`system user ${name} was created but cannot be looked up`);
  return created;
}

/** True when `user` can run `test <flag> <path>` successfully, i.e. reach and use the path. */
export function userCan(user: SystemUser, flag: '-x' | '-w' | '-r', path: string): boolean {
  return spawnSync('test', [flag, path], { uid: user.uid, gid: user.gid }).status === 0;
}
