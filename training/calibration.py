"""Temperature scaling and operating points, both chosen on the dev split only.

Operating points are read off calibrated probabilities of customer lines (the ladder acts on
customer speech):
  threat_alert  the lowest threat score at which at most MAX_FALSE_ALERT of non-threat lines
                score as high: a score there raises the safety alert at once;
  ask_meaning   the lowest score (not above threat_alert) at which at most MAX_ASK of non-threat
                lines score as high: the band [ask_meaning, threat_alert) asks the caller what
                they mean and quietly tells the supervisor, so it must stay rare on calm calls;
  abusive       the abusive score, for lines labelled abusive, that maximises abusive-or-threat F1.
"""
import torch

LABELS = ["neutral", "venting", "abusive", "threat"]
THREAT, ABUSIVE, VENTING = 3, 2, 1
MAX_FALSE_ALERT = 0.005
MAX_ASK = 0.03
GRID = [round(0.01 * i, 2) for i in range(5, 100)]


def fit_temperature(logits: torch.Tensor, targets: torch.Tensor) -> float:
    """The temperature (0.5-5, steps of 0.01) that minimises dev negative log-likelihood against the
    label shares [N, 4] (one-hot but for lines ambiguous by design)."""
    best_t, best_loss = 1.0, float("inf")
    for step in range(50, 501):
        t = step / 100
        value = torch.nn.functional.cross_entropy(logits / t, targets).item()
        if value < best_loss:
            best_t, best_loss = t, value
    return best_t


def expected_calibration_error(probabilities: torch.Tensor, labels: torch.Tensor, bins: int = 10) -> float:
    confidence, predicted = probabilities.max(-1)
    correct = (predicted == labels).float()
    error = 0.0
    for b in range(bins):
        in_bin = (confidence > b / bins) & (confidence <= (b + 1) / bins)
        if in_bin.any():
            error += in_bin.float().mean().item() * abs(confidence[in_bin].mean().item() - correct[in_bin].mean().item())
    return error


def abuse_or_threat_f1(flagged: torch.Tensor, positive: torch.Tensor) -> float:
    tp = (flagged & positive).sum().item()
    fp = (flagged & ~positive).sum().item()
    fn = (~flagged & positive).sum().item()
    return 2 * tp / max(1, 2 * tp + fp + fn)


def operating_points(probabilities: torch.Tensor, labels: torch.Tensor) -> dict:
    """probabilities [N, 4] (calibrated) and labels [N] of customer dev lines."""
    threat_score = probabilities[:, THREAT]
    is_threat = labels == THREAT
    non_threat = threat_score[~is_threat]
    threat_alert = next((t for t in GRID if (non_threat >= t).float().mean().item() <= MAX_FALSE_ALERT), GRID[-1])
    ask_meaning = next((t for t in GRID if t >= threat_alert or (non_threat >= t).float().mean().item() <= MAX_ASK), threat_alert)

    predicted = probabilities.argmax(-1)
    positive = labels >= ABUSIVE
    best_abusive, best_f1 = 0.5, -1.0
    for t in GRID:
        flagged = (predicted == THREAT) | ((predicted == ABUSIVE) & (probabilities[:, ABUSIVE] >= t))
        f1 = abuse_or_threat_f1(flagged, positive)
        if f1 >= best_f1:
            best_abusive, best_f1 = t, f1
    flagged = (predicted == THREAT) | ((predicted == ABUSIVE) & (probabilities[:, ABUSIVE] >= best_abusive))
    venting = labels == VENTING
    return {
        "threat_alert": threat_alert,
        "ask_meaning": ask_meaning,
        "abusive": best_abusive,
        "dev_at_these_points": {
            "customer_lines": int(len(labels)),
            "threat_lines": int(is_threat.sum().item()),
            "non_threat_alert_rate": round((non_threat >= threat_alert).float().mean().item(), 4),
            "threat_recall_at_alert": round((threat_score[is_threat] >= threat_alert).float().mean().item(), 4),
            "threat_recall_at_ask_meaning": round((threat_score[is_threat] >= ask_meaning).float().mean().item(), 4),
            "non_threat_at_ask_meaning": round((non_threat >= ask_meaning).float().mean().item(), 4),
            "abuse_or_threat_f1": round(best_f1, 4),
            "venting_flagged": round(flagged[venting].float().mean().item(), 4) if venting.any() else None,
        },
    }
