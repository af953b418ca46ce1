"""Loss terms as pure functions of features, anchors, labels and logits.

``features`` are image features ``[B, D]``, ``anchors`` the two class text features ``[2, D]`` (row 0 real,
row 1 fake), ``labels`` ``[B]`` in {0, 1}. Cosines are taken on L2-normalised vectors inside each term, so the
terms do not depend on whether callers normalised first.

Reconstruction note: the MiraGe abstract names "intra-class variation minimisation" and "inter-class
separation" around text anchors; the formulas below are our reading of it, not the paper's code.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def cross_entropy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of two-way logits ``[B, 2]``."""
    return F.cross_entropy(logits.float(), labels)


def intra_class_alignment(
    features: torch.Tensor, labels: torch.Tensor, anchors: torch.Tensor
) -> torch.Tensor:
    """Mean of ``1 - cos(feature, anchor of its own class)``: pulls each class around its anchor."""
    f = F.normalize(features.float(), dim=-1)
    a = F.normalize(anchors.float(), dim=-1)
    return (1.0 - (f * a[labels]).sum(dim=-1)).mean()


def inter_class_separation(
    features: torch.Tensor, labels: torch.Tensor, anchors: torch.Tensor, margin: float
) -> torch.Tensor:
    """Hinge separation: ``mean relu(cos(f, other anchor) - margin) + relu(cos(a_real, a_fake) - margin)``."""
    f = F.normalize(features.float(), dim=-1)
    a = F.normalize(anchors.float(), dim=-1)
    to_other = (f * a[1 - labels]).sum(dim=-1)
    between_anchors = (a[0] * a[1]).sum()
    return F.relu(to_other - margin).mean() + F.relu(between_anchors - margin)


def supervised_contrastive(
    features: torch.Tensor, labels: torch.Tensor, anchors: torch.Tensor, temperature: float
) -> torch.Tensor:
    """Supervised contrastive loss (Khosla et al.) over the batch plus the two anchors.

    The anchors join the batch as members of their class, so every image has at least one positive (its
    anchor). Each member's loss is ``-mean_p log softmax_{a != i}(z_i . z_a / T)[p]`` over its positives p;
    the result averages over the members that have a positive.
    """
    z = F.normalize(torch.cat([features.float(), anchors.float()]), dim=-1)
    member_labels = torch.cat([labels, torch.arange(2, device=labels.device)])
    similarity = z @ z.T / temperature
    self_mask = torch.eye(len(z), dtype=torch.bool, device=z.device)
    log_prob = similarity.masked_fill(self_mask, float("-inf")).log_softmax(dim=-1)
    positives = (member_labels[:, None] == member_labels[None, :]) & ~self_mask
    counts = positives.sum(dim=-1)
    positive_log_prob = log_prob.masked_fill(~positives, 0.0).sum(dim=-1)
    # an anchor whose class is absent from the batch has no positive and is left out of the mean
    has_positive = counts > 0
    return -(positive_log_prob[has_positive] / counts[has_positive]).mean()
