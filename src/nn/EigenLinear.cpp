// Eigen-backed matrix products as libtorch autograd functions (EigenLinear.hpp).

#include "EigenLinear.hpp"

#include "EigenProduct.hpp"

#include <ATen/Parallel.h>

#include <algorithm>

namespace hepkit::nn {

namespace {

/// Rows one after the other (stride 1 along a row, rows not overlapping) — or else, with
/// column_major_layout, columns so.
bool row_major_layout(const torch::Tensor& t) {
    return t.stride(1) == 1 && t.stride(0) >= std::max<std::int64_t>(t.size(1), 1);
}
bool column_major_layout(const torch::Tensor& t) {
    return t.stride(0) == 1 && t.stride(1) >= std::max<std::int64_t>(t.size(0), 1);
}

/// Rows of A per task of a parallel product: fixed, so that every row's result (Eigen's blocking
/// depends on the sizes it is given) is the same for any number of threads.
constexpr std::int64_t kRowsPerTask = 512;

/// C = A·B on the tensors' memory: a row-major or column-major view where one stride is 1 (a
/// transpose is just the other view); blocks of rows on libtorch's intra-op threads; AVX2/FMA
/// kernels where the CPU has them (EigenProduct.hpp).
template <class T>
void product(const torch::Tensor& a, const torch::Tensor& b, torch::Tensor& c) {
    const auto view = [](const torch::Tensor& t) {
        const bool row_major = row_major_layout(t);
        return detail::MatrixView<const T>{t.data_ptr<T>(), t.size(0), t.size(1),
                                           row_major ? t.stride(0) : t.stride(1), row_major};
    };
    const detail::MatrixView<const T> va = view(a), vb = view(b);
    T* out = c.data_ptr<T>();
    const bool avx2 = detail::cpu_has_avx2_fma();
    const std::int64_t tasks = (va.rows + kRowsPerTask - 1) / kRowsPerTask;
    at::parallel_for(0, tasks, 1, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t k = begin; k < end; ++k) {
            const std::int64_t r0 = k * kRowsPerTask, rows = std::min(kRowsPerTask, va.rows - r0);
            detail::MatrixView<const T> part = va;
            part.data += va.row_major ? r0 * va.outer : r0;
            part.rows = rows;
            if (avx2)
                detail::product_avx2(part, vb, out + r0 * vb.cols);
            else
                detail::product_baseline(part, vb, out + r0 * vb.cols);
        }
    });
}

bool eigen_can(const torch::Tensor& a, const torch::Tensor& b) {
    const auto usable = [](const torch::Tensor& t) {
        return t.dim() == 2 && t.device().is_cpu() && t.layout() == torch::kStrided;
    };
    return a.scalar_type() == b.scalar_type() &&
           (a.scalar_type() == torch::kFloat32 || a.scalar_type() == torch::kFloat64) && usable(a) &&
           usable(b) && a.size(1) == b.size(0) && !a._fw_grad(0).defined() && !b._fw_grad(0).defined();
}

torch::Tensor eigen_product(torch::Tensor a, torch::Tensor b) {
    // anything else (a slice with steps, an expanded tensor with stride 0) is copied first
    if (!row_major_layout(a) && !column_major_layout(a))
        a = a.contiguous();
    if (!row_major_layout(b) && !column_major_layout(b))
        b = b.contiguous();
    torch::Tensor c = torch::empty({a.size(0), b.size(1)}, a.options());
    if (a.size(1) == 0) {
        c.zero_();
        return c;
    }
    if (c.numel() == 0)
        return c;
    if (a.scalar_type() == torch::kFloat32)
        product<float>(a, b, c);
    else
        product<double>(a, b, c);
    return c;
}

struct EigenMm : torch::autograd::Function<EigenMm> {
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& a,
                                 const torch::Tensor& b) {
        ctx->save_for_backward({a, b});
        const torch::NoGradGuard no_grad;
        return eigen_product(a, b);
    }
    static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::tensor_list grads) {
        const auto saved = ctx->get_saved_variables();
        const torch::Tensor& g = grads[0];
        // only the products some input needs (the data's gradient is usually not)
        torch::Tensor ga, gb;
        if (ctx->needs_input_grad(0))
            ga = eigen_mm(g, saved[1].t());
        if (ctx->needs_input_grad(1))
            gb = eigen_mm(saved[0].t(), g);
        return {ga, gb};
    }
};

} // namespace

torch::Tensor eigen_mm(const torch::Tensor& a, const torch::Tensor& b) {
    if (!eigen_can(a, b))
        return torch::mm(a, b);
    return EigenMm::apply(a, b);
}

torch::Tensor eigen_linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
    const torch::Tensor y = eigen_mm(x, weight.t());
    return bias.defined() ? y + bias : y;
}

} // namespace hepkit::nn
