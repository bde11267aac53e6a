#pragma once
// Internal to the configuration (ConfigShift.cpp): the producer of a shift's replacement written
// as an expression string, whose output takes the replaced product's element type.

#include "hepkit/events/Registry.hpp"

#include <memory>
#include <string>
#include <vector>

namespace hepkit::events::detail {

class SameTypeExpression final : public Producer {
  public:
    /// `expression`: the YAML string; `product`: the product it replaces; `make`: the `expr`
    /// producer type's factory (called with {expr, dtype}).
    SameTypeExpression(StepPlace place, config::YamlView expression, std::string product,
                       Registry::ProducerFactory make);
    std::vector<std::string> inputs() const override;
    std::vector<ProductInfo> declare(const Schema& schema) override;
    void outputs_declared(std::span<const ProductId> ids) override;
    void produce(Batch& batch) const override;

  private:
    config::YamlView expression_;
    std::string product_;
    Registry::ProducerFactory make_;
    std::unique_ptr<Producer> inner_;
};

} // namespace hepkit::events::detail
