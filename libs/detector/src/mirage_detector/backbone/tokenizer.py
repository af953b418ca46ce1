"""A word-level tokenizer built in code for config-built (tiny, random) CLIP models.

Real checkpoints bring their own BPE tokenizer; a random tiny CLIP has none and nothing may be downloaded, so
this builds one from a fixed word list that covers the usual prompt and class words. Unknown words map to
``<unk>``. ``<eos>`` gets the highest id so CLIP's two end-of-text conventions (first ``eos_token_id`` or
arg-max id) agree.
"""

from __future__ import annotations

from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
from transformers import PreTrainedTokenizerBase, PreTrainedTokenizerFast

PROMPT_WORDS: tuple[str, ...] = (
    "a", "an", "the", "this", "that", "is", "of", "by", "photo", "picture", "image", "photograph",
    "real", "fake", "natural", "authentic", "genuine", "generated", "synthetic", "artificial", "ai",
    "camera", "taken", "made", "model", "diffusion", "gan", "x", ".", ",",
)  # fmt: skip
SPECIAL_TOKENS = {"pad": "<pad>", "unk": "<unk>", "bos": "<bos>", "eos": "<eos>"}


def build_word_tokenizer() -> PreTrainedTokenizerBase:
    """The tiny tokenizer: ``<pad>``=0, ``<unk>``=1, words, then ``<bos>``, ``<eos>`` (highest id)."""
    words = [
        SPECIAL_TOKENS["pad"],
        SPECIAL_TOKENS["unk"],
        *PROMPT_WORDS,
        SPECIAL_TOKENS["bos"],
        SPECIAL_TOKENS["eos"],
    ]
    vocab = {word: index for index, word in enumerate(words)}
    core = Tokenizer(models.WordLevel(vocab, unk_token=SPECIAL_TOKENS["unk"]))
    core.normalizer = normalizers.Lowercase()
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    bos, eos = SPECIAL_TOKENS["bos"], SPECIAL_TOKENS["eos"]
    core.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", special_tokens=[(bos, vocab[bos]), (eos, vocab[eos])]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=core,
        bos_token=bos,
        eos_token=eos,
        pad_token=SPECIAL_TOKENS["pad"],
        unk_token=SPECIAL_TOKENS["unk"],
    )


def word_vocab_size() -> int:
    """Vocabulary size of ``build_word_tokenizer`` (the embedding table size of a config-built CLIP)."""
    return len(PROMPT_WORDS) + len(SPECIAL_TOKENS)
