#pragma once
/// @file
/// IndexedProblem: a model vector m(p) against data with no independent variable; χ² with the
/// data's covariance (plus log det V where it depends on the model).

#include "hepkit/fit/ErrorModel.hpp"
#include "hepkit/fit/Problem.hpp"

namespace hepkit::fit {

class IndexedProblem : public Problem {
  public:
    IndexedProblem(std::vector<double> data, VectorModel model, std::vector<ErrorSource> errors);
    std::string type() const override { return "indexed"; }
    std::string diagnose(std::span<const double> p) const override;
    std::size_t data_size() const override { return data_.size(); }
    double cost(std::span<const double> p) const override;
    std::optional<double> goodness(std::span<const double> p) const override;
    std::unique_ptr<Problem> toy(std::span<const double> truth, std::mt19937_64& rng) const override;

  private:
    double evaluate(std::span<const double> p, bool chi2_only) const;
    std::vector<double> data_;
    VectorModel model_;
    std::vector<ErrorSource> errors_;
    Eigen::MatrixXd v_const_;
    bool model_dependent_ = false;
    Eigen::LLT<Eigen::MatrixXd> fixed_llt_;
};

} // namespace hepkit::fit
