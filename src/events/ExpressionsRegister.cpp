// The `expr` producer and filter types of the configuration (Registry.hpp): kept apart from
// Expressions.cpp so that code making expression steps directly links without the Registry.
#include "hepkit/events/Expressions.hpp"
#include "hepkit/events/Registry.hpp"

namespace hepkit::events {

namespace {

std::string expression_of(const StepConfig& c) {
    const config::YamlView e = c.yaml.at("expr");
    const std::string text = e.as_string();
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        e.fail("the expression is empty");
    return text;
}

} // namespace

void register_expression_steps(Registry& registry) {
    registry.add_producer(
        "expr",
        [](const StepConfig& c) -> std::unique_ptr<Producer> {
            c.check_keys({"expr", "dtype"});
            std::optional<io::ColumnType> dtype;
            if (c.yaml.has("dtype")) {
                const config::YamlView d = c.yaml.at("dtype");
                dtype = parse_dtype(d.as_string());
                if (!dtype)
                    d.fail("dtype '" + d.as_string() +
                           "' is not one of bool, int8, uint8, int16, uint16, int32, uint32, int64, uint64, "
                           "float32, float64");
            }
            StepPlace place = c.place;
            if (place.line == 0)
                place.line = c.yaml.at("expr").line();
            return std::make_unique<ExprProducer>(std::move(place), expression_of(c), dtype);
        },
        "a product computed by an expression (`expr`, optional `dtype`), named after the step");
    registry.add_filter(
        "expr",
        [](const StepConfig& c) -> std::unique_ptr<Filter> {
            c.check_keys({"expr"});
            StepPlace place = c.place;
            if (place.line == 0)
                place.line = c.yaml.at("expr").line();
            return std::make_unique<ExprFilter>(std::move(place), expression_of(c));
        },
        "keeps the events where an expression (`expr`, one value per event) is true");
}

} // namespace hepkit::events
