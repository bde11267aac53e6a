// Loading TorchScript models and running them for inference (include/hepkit/nn/Model.hpp).

#include "ModelImpl.hpp"

#include "hepkit/core/Error.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <unordered_map>

namespace hepkit::nn {

namespace {

std::vector<double> number_list(const nlohmann::json& doc, const char* key, const std::string& path) {
    std::vector<double> out;
    if (!doc.contains(key))
        return out;
    const auto& list = doc.at(key);
    if (!list.is_array()) {
        throw InputError(path, 0, "", fmt::format("{}: '{}' must be a list of numbers", kMetadataFile, key));
    }
    for (const auto& v : list) {
        if (!v.is_number()) {
            throw InputError(path, 0, "",
                             fmt::format("{}: '{}' holds {}, not a number", kMetadataFile, key, v.dump()));
        }
        out.push_back(v.get<double>());
    }
    return out;
}

void read_metadata(Model::Impl& impl) {
    if (impl.metadata.empty())
        return;
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(impl.metadata);
    } catch (const nlohmann::json::exception& e) {
        throw InputError(impl.path, 0, "", fmt::format("{} is not valid JSON: {}", kMetadataFile, e.what()));
    }
    if (!doc.is_object())
        throw InputError(impl.path, 0, "", fmt::format("{} is not a JSON object", kMetadataFile));
    if (doc.contains("input_names")) {
        for (const auto& n : doc.at("input_names")) {
            if (!n.is_string()) {
                throw InputError(
                    impl.path, 0, "",
                    fmt::format("{}: input_names holds {}, not a string", kMetadataFile, n.dump()));
            }
            impl.input_names.push_back(n.get<std::string>());
        }
    }
    if (doc.contains("standardization")) {
        const auto& s = doc.at("standardization");
        impl.input_mean = number_list(s, "mean", impl.path);
        impl.input_scale = number_list(s, "scale", impl.path);
        if (impl.input_mean.size() != impl.input_scale.size() ||
            (!impl.input_names.empty() && impl.input_mean.size() != impl.input_names.size())) {
            throw InputError(impl.path, 0, "",
                             fmt::format("{}: standardization has {} means and {} scales for {} inputs",
                                         kMetadataFile, impl.input_mean.size(), impl.input_scale.size(),
                                         impl.input_names.size()));
        }
    }
}

torch::Dtype module_dtype(const torch::jit::Module& module) {
    for (const auto& p : module.parameters()) {
        if (p.is_floating_point())
            return p.scalar_type();
    }
    for (const auto& b : module.buffers()) {
        if (b.is_floating_point())
            return b.scalar_type();
    }
    return torch::kFloat64;
}

} // namespace

torch::Tensor to_tensor(const double* values, std::size_t rows, std::size_t cols, torch::Dtype dtype) {
    auto t =
        torch::empty({static_cast<std::int64_t>(rows), static_cast<std::int64_t>(cols)}, torch::kFloat64);
    if (rows * cols > 0)
        std::memcpy(t.data_ptr<double>(), values, rows * cols * sizeof(double));
    return dtype == torch::kFloat64 ? t : t.to(dtype);
}

Model::Model(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

Model Model::load(const std::string& path) {
    if (!std::ifstream(path))
        throw InputError(path, 0, "", "cannot open the model file");
    auto impl = std::make_shared<Impl>();
    impl->path = path;
    std::unordered_map<std::string, std::string> extra{{kMetadataFile, ""}};
    try {
        impl->module = torch::jit::load(path, c10::Device(c10::kCPU), extra);
    } catch (const std::exception& e) {
        // libtorch's messages carry a C++ stack trace after the first line; the first line says it.
        std::string what = e.what();
        what = what.substr(0, what.find('\n'));
        throw InputError(path, 0, "",
                         fmt::format("not a TorchScript model that libtorch can load: {}", what));
    }
    if (!impl->module.find_method("forward")) {
        throw InputError(path, 0, "", "the TorchScript model has no forward method");
    }
    impl->module.eval();
    impl->metadata = extra[kMetadataFile];
    read_metadata(*impl);
    impl->dtype = module_dtype(impl->module);
    return Model(std::move(impl));
}

const std::vector<std::string>& Model::input_names() const {
    return impl_->input_names;
}
const std::string& Model::metadata() const {
    return impl_->metadata;
}
const std::vector<double>& Model::input_mean() const {
    return impl_->input_mean;
}
const std::vector<double>& Model::input_scale() const {
    return impl_->input_scale;
}
const std::string& Model::path() const {
    return impl_->path;
}

Prediction Model::predict(std::span<const double> x, std::size_t rows) const {
    Prediction out;
    out.rows = rows;
    if (rows == 0)
        return out;
    if (x.size() % rows != 0) {
        throw InputError(impl_->path, 0, "",
                         fmt::format("{} input values do not make {} events", x.size(), rows));
    }
    const std::size_t cols = x.size() / rows;
    if (!impl_->input_names.empty() && cols != impl_->input_names.size()) {
        throw InputError(
            impl_->path, 0, "",
            fmt::format("the model takes {} inputs, the data has {}", impl_->input_names.size(), cols));
    }
    torch::NoGradGuard no_grad;
    constexpr std::size_t kBatch = 65536;
    for (std::size_t begin = 0; begin < rows; begin += kBatch) {
        const std::size_t n = std::min(kBatch, rows - begin);
        torch::Tensor y;
        try {
            y = impl_->module.forward({to_tensor(x.data() + begin * cols, n, cols, impl_->dtype)}).toTensor();
        } catch (const std::exception& e) {
            std::string what = e.what();
            throw InputError(impl_->path, 0, "",
                             fmt::format("the model cannot run on {} inputs per event: {}", cols,
                                         what.substr(0, what.find('\n'))));
        }
        if (y.dim() == 1)
            y = y.unsqueeze(1);
        if (y.dim() != 2 || y.size(0) != static_cast<std::int64_t>(n)) {
            throw InputError(
                impl_->path, 0, "",
                fmt::format("the model's output has shape ({}) for {} events; expected (events, outputs)",
                            fmt::join(y.sizes(), ", "), n));
        }
        y = y.to(torch::kFloat64).contiguous();
        if (out.outputs == 0)
            out.outputs = static_cast<std::size_t>(y.size(1));
        out.values.insert(out.values.end(), y.data_ptr<double>(), y.data_ptr<double>() + y.numel());
    }
    return out;
}

} // namespace hepkit::nn
