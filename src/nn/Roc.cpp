// Weighted ROC curves and their area (include/hepkit/nn/Train.hpp).

#include "hepkit/core/Error.hpp"
#include "hepkit/nn/Train.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace hepkit::nn {

RocCurve roc_curve(const std::vector<double>& scores, const std::vector<int>& positive,
                   const std::vector<double>& weights) {
    if (positive.size() != scores.size() || (!weights.empty() && weights.size() != scores.size()))
        throw std::invalid_argument("roc_curve: scores, labels and weights differ in length");
    auto weight = [&](std::size_t i) { return weights.empty() ? 1.0 : weights[i]; };
    std::vector<std::size_t> order(scores.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
    double total_pos = 0, total_neg = 0;
    for (std::size_t i = 0; i < scores.size(); ++i)
        (positive[i] ? total_pos : total_neg) += weight(i);

    RocCurve roc;
    roc.threshold.push_back(std::numeric_limits<double>::infinity());
    roc.fpr.push_back(0);
    roc.tpr.push_back(0);
    if (!(total_pos > 0) || !(total_neg > 0)) {
        // one class only (or weights summing to ≤ 0): the curve is not defined
        roc.auc = std::numeric_limits<double>::quiet_NaN();
        return roc;
    }
    double tp = 0, fp = 0;
    for (std::size_t k = 0; k < order.size();) {
        // events with equal scores enter together: a threshold cannot separate them
        const double s = scores[order[k]];
        for (; k < order.size() && scores[order[k]] == s; ++k)
            (positive[order[k]] ? tp : fp) += weight(order[k]);
        roc.threshold.push_back(s);
        roc.fpr.push_back(fp / total_neg);
        roc.tpr.push_back(tp / total_pos);
    }
    // trapezoidal area: the expected value for ties, P(score_pos > score_neg) + P(tie)/2
    for (std::size_t i = 1; i < roc.fpr.size(); ++i)
        roc.auc += (roc.fpr[i] - roc.fpr[i - 1]) * (roc.tpr[i] + roc.tpr[i - 1]) / 2;
    return roc;
}

} // namespace hepkit::nn
