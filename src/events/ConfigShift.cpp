// A shift's replacement written as an expression (`Muon_pt: "Muon_pt * 1.01"`): the `expr`
// producer, made when the schema is known so that its output takes the replaced product's
// element type (dtype). A replacement must make a product of the replaced one's type (Plan.hpp),
// and the expression of a float32 branch times 1.01 is float64 in the expression language:
// without this, every scale shift of a NanoAOD branch would need `dtype: float32` written out.
#include "ConfigShift.hpp"

#include "hepkit/core/Error.hpp"

#include <yaml-cpp/yaml.h>

namespace hepkit::events::detail {

namespace {

StepConfig config_of(const StepPlace& place, const config::YamlView& expression, const std::string& dtype) {
    YAML::Node map(YAML::NodeType::Map);
    map["expr"] = expression.node(); // shares the node: its line stays known
    if (!dtype.empty())
        map["dtype"] = dtype;
    return StepConfig{place, config::YamlView(map, expression.file(), expression.key())};
}

} // namespace

SameTypeExpression::SameTypeExpression(StepPlace place, config::YamlView expression, std::string product,
                                       Registry::ProducerFactory make)
    : Producer(place), expression_(std::move(expression)), product_(std::move(product)),
      make_(std::move(make)),
      // made now too: its inputs are needed before declare(), and a bad expression is an error now
      inner_(make_(config_of(place, expression_, ""))) {}

std::vector<std::string> SameTypeExpression::inputs() const {
    return inner_->inputs();
}

std::vector<ProductInfo> SameTypeExpression::declare(const Schema& schema) {
    // The replaced product is declared before its replacements (Runner::prepare); if it is not
    // there, the runner's own check names the missing product.
    if (const auto id = schema.find(product_))
        inner_ =
            make_(config_of(place(), expression_, std::string(io::column_type_name(schema.info(*id).type))));
    return inner_->declare(schema);
}

void SameTypeExpression::outputs_declared(std::span<const ProductId> ids) {
    inner_->outputs_declared(ids);
}

void SameTypeExpression::produce(Batch& batch) const {
    inner_->produce(batch);
}

} // namespace hepkit::events::detail
