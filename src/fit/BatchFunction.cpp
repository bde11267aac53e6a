#include "hepkit/fit/BatchFunction.hpp"

namespace hepkit::fit {

bool BatchModel::gradients(std::span<const double>, std::span<const double>, std::span<double>,
                           std::span<double>) const {
    return false;
}

bool BatchModel::hessians(std::span<const double>, std::span<const double>, std::span<double>,
                          std::span<double>, std::span<double>) const {
    return false;
}

BatchFunction::BatchFunction(const PyFunction& f) : f_(f.function()) {}
BatchFunction::~BatchFunction() = default;
BatchFunction::BatchFunction(BatchFunction&&) noexcept = default;
BatchFunction& BatchFunction::operator=(BatchFunction&&) noexcept = default;

void BatchFunction::values(std::span<const double> x, std::span<const double> p, std::span<double> f) const {
    f_.values(x, p, f);
}

bool BatchFunction::gradients(std::span<const double> x, std::span<const double> p, std::span<double> f,
                              std::span<double> grad) const {
    return f_.gradients(x, p, f, grad);
}

bool BatchFunction::hessians(std::span<const double> x, std::span<const double> p, std::span<double> f,
                             std::span<double> grad, std::span<double> hess) const {
    return f_.hessians(x, p, f, grad, hess);
}

std::size_t BatchFunction::array_operations(int order) const {
    return f_.array_operations(order);
}

} // namespace hepkit::fit
