// Runner::prepare (Runner.hpp): the inputs' branches and every step declared into one Schema, the
// shifts' replacements checked, the plan analysis (which steps each shift runs again) and the
// batches — everything that can be wrong in a configuration is found here, before any event is read.
#include "RunnerImpl.hpp"

#include "hepkit/core/Error.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

namespace hepkit::events {

namespace {

using detail::Node;
using detail::NodeKind;
using detail::Sequence;

// Batch rows are uint32 (Products.hpp).
constexpr std::int64_t kMaxBatch = std::int64_t{1} << 30;

// An InputError from the schema or a step carries no file when it was thrown by code that does not
// know the configuration: give it the step's file and line.
[[noreturn]] void rethrow_at(const InputError& e, const StepPlace& place) {
    if (e.file().empty() && !place.file.empty())
        throw InputError(place.file, place.line, e.key().empty() ? place.name : e.key(), e.message());
    throw;
}

bool bad_name(const std::string& name) {
    return name.empty() || name.find('/') != std::string::npos || name == "." || name == "..";
}

// Where the configuration defines `key` (Plan::places: a shift, a pipeline or its key, maybe in
// an include), else the plan's file without a line.
Plan::Place place_of(const Plan& plan, const std::string& key) {
    const auto it = plan.places.find(key);
    return it != plan.places.end() ? it->second : Plan::Place{plan.source, 0};
}

std::string join(const std::vector<std::string>& names) {
    std::string s;
    for (const auto& n : names)
        s.append(s.empty() ? "" : ", ").append(n);
    return s;
}

} // namespace

const std::string& Runner::Impl::shift_name(const detail::Sequence& seq, std::size_t v) const {
    static const std::string nominal;
    return v == 0 ? nominal : plan.shifts[seq.shifts[v - 1]].name;
}

void Runner::Impl::declare_inputs() {
    const auto& in = plan.inputs;
    if (in.first_entry < 0)
        throw InputError(plan.source, 0, "inputs.first_entry",
                         "first entry " + std::to_string(in.first_entry) + " must be >= 0");
    if (in.max_entries < -1)
        throw InputError(plan.source, 0, "inputs.max_entries",
                         "max entries " + std::to_string(in.max_entries) + " must be >= 0, or -1 for all");
    if (in.batch_entries < 0 || in.batch_entries > kMaxBatch)
        throw InputError(plan.source, 0, "inputs.batch_entries",
                         "batch entries " + std::to_string(in.batch_entries) + " must be in [0, " +
                             std::to_string(kMaxBatch) + "] (0: the files' clusters)");
    struct Branch {
        std::string name;
        io::ColumnType type;
        bool jagged;
        std::size_t width;
    };
    std::vector<Branch> branches;
    if (memory) {
        std::set<std::string> seen;
        for (const auto& c : *memory) {
            if (!seen.insert(c.name).second)
                throw std::invalid_argument("Runner: two input columns are named '" + c.name + "'");
            if (c.entries() != memory->front().entries())
                throw std::invalid_argument("Runner: input column '" + c.name + "' has " +
                                            std::to_string(c.entries()) + " entries, the first has " +
                                            std::to_string(memory->front().entries()));
            // Its offsets are checked where batches are cut from it (Runner.cpp's slice), in the
            // workers and only for the entries read: a pass over whole columns here was serial.
            if (c.type != io::ColumnType::String)
                branches.push_back({c.name, c.type, c.jagged(), c.jagged() ? 1 : c.width});
        }
    } else {
        if (in.files.empty())
            throw InputError(plan.source, 0, "inputs.files", "no input files; give at least one ROOT file");
        // `inputs.tree` names a TTree or an RNTuple (Input.hpp); strings and unreadable branches or
        // fields (objects) are no products.
        input = open_input(in.files, in.tree);
        for (const auto& p : input->products())
            branches.push_back({p.name, p.type, p.jagged, p.width});
    }
    for (const auto& b : branches) {
        // A fixed-size array x[3] is a jagged product of 3 values per event: the expression
        // language and the consumers then treat it as any other collection.
        const ProductId id = schema.add({b.name, b.type, b.jagged || b.width > 1}, "branch of the input");
        branch_of.resize(id + 1);
        width_of.resize(id + 1);
        branch_of[id] = b.name;
        width_of[id] = b.width;
    }
    input_products = schema.size();
}

void Runner::Impl::declare_steps() {
    // Shifts: names, and what each replaces, by product name (inserted after the maker below).
    std::set<std::string> shift_names;
    std::map<std::string, std::vector<std::pair<std::size_t, const Shift::Replacement*>>> pending;
    for (std::size_t s = 0; s < plan.shifts.size(); ++s) {
        const Shift& shift = plan.shifts[s];
        const std::string key = "shifts." + shift.name;
        if (bad_name(shift.name) || shift.name.find("__") != std::string::npos)
            throw InputError(place_of(plan, key).file, place_of(plan, key).line, key,
                             "shift name '" + shift.name +
                                 "' must be non-empty, without '/' or '__' (outputs are named name__shift)");
        if (!shift_names.insert(shift.name).second)
            throw InputError(place_of(plan, key).file, place_of(plan, key).line, key,
                             "shift '" + shift.name + "' is defined twice");
        if (shift.replaces.empty())
            throw InputError(place_of(plan, key).file, place_of(plan, key).line, key,
                             "shift '" + shift.name + "' replaces no product");
        std::set<std::string> products;
        for (const auto& r : shift.replaces) {
            if (!r.producer)
                throw std::invalid_argument("Runner: shift '" + shift.name + "' replaces '" + r.product +
                                            "' by no producer");
            if (!products.insert(r.product).second)
                throw InputError(place_of(plan, key).file, place_of(plan, key).line, key,
                                 "shift '" + shift.name + "' replaces product '" + r.product + "' twice");
            pending[r.product].emplace_back(s, &r);
        }
    }

    // Declares a shift's replacements of product `id` right after the product is made, so that they
    // can read it (a scale factor times the nominal) and whatever was made before it.
    auto add_replacements = [&](Sequence& seq, ProductId id) {
        const auto it = pending.find(schema.info(id).name);
        if (it == pending.end())
            return;
        for (const auto& [s, r] : it->second) {
            const Shift& shift = plan.shifts[s];
            Node node;
            node.kind = NodeKind::replacement;
            node.producer = r->producer;
            node.step = r->producer.get();
            node.shift = s;
            node.replaced = id;
            node.label = "shift " + shift.name + ": " + r->producer->place().label();
            const StepPlace& place = r->producer->place();
            try {
                for (const auto& name : r->producer->inputs())
                    node.reads.push_back(schema.require(name, node.label));
                const ProductInfo& want = schema.info(id);
                auto infos = r->producer->declare_replacement(schema, want);
                if (infos.size() != 1 || infos[0].type != want.type || infos[0].jagged != want.jagged) {
                    std::string got;
                    for (const auto& i : infos)
                        got.append(got.empty() ? "" : ", ").append(describe(i));
                    std::string hint = want.jagged || infos.size() != 1
                                           ? ""
                                           : "; an expression producer takes `dtype: " +
                                                 std::string(io::column_type_name(want.type)) + "`";
                    throw InputError(place.file, place.line, place.name,
                                     node.label + " replaces product '" + want.name + "' (" + describe(want) +
                                         ") but makes " + (got.empty() ? std::string("nothing") : got) +
                                         "; a replacement makes one product of the same type and shape" +
                                         hint);
                }
                infos[0].name = want.name + "@" + shift.name;
                const ProductId made = schema.add(infos[0], node.label);
                const ProductId ids[] = {made};
                r->producer->outputs_declared(ids);
                node.makes.push_back(made);
            } catch (const InputError& e) {
                rethrow_at(e, place);
            }
            seq.nodes.push_back(std::move(node));
        }
        pending.erase(it);
    };

    auto add_step = [&](Sequence& seq, const AnyStep& any, bool global) {
        Node node;
        if (const auto* p = std::get_if<std::shared_ptr<Producer>>(&any)) {
            node.kind = NodeKind::producer;
            node.producer = *p;
            node.step = p->get();
        } else if (const auto* f = std::get_if<std::shared_ptr<Filter>>(&any)) {
            node.kind = NodeKind::filter;
            node.filter = *f;
            node.step = f->get();
            node.index = seq.filters++;
        } else {
            const auto& c = std::get<std::shared_ptr<Consumer>>(any);
            node.kind = NodeKind::consumer;
            node.consumer = c;
            node.step = c.get();
            node.index = seq.consumers++;
        }
        if (!node.step)
            throw std::invalid_argument("Runner: a step of " +
                                        (global ? std::string("the global part") : "pipeline " + seq.name) +
                                        " is null");
        const StepPlace& place = node.step->place();
        node.label = place.label();
        if (global && node.kind == NodeKind::consumer)
            throw InputError(place.file, place.line, place.name,
                             node.label + " is in the global part, which has producers and filters only; "
                                          "consumers belong to a pipeline");
        try {
            for (const auto& name : node.step->inputs())
                node.reads.push_back(schema.require(name, node.label));
            switch (node.kind) {
            case NodeKind::producer: {
                const auto infos = node.producer->declare(schema);
                for (const auto& info : infos)
                    node.makes.push_back(schema.add(info, node.label));
                node.producer->outputs_declared(node.makes);
                break;
            }
            case NodeKind::filter:
                node.filter->declare(schema);
                break;
            case NodeKind::consumer:
                node.consumer->declare(schema);
                break;
            case NodeKind::replacement:
                break;
            }
        } catch (const InputError& e) {
            rethrow_at(e, place);
        }
        // How producers and filters read their float inputs, for the cuts under a shift
        // (RunnerRows.hpp): asked once here, not per batch.
        if (node.kind == NodeKind::producer || node.kind == NodeKind::filter)
            for (const ProductId id : node.reads)
                node.thresholds.push_back(node.step->thresholds(id));
        const auto makes = node.makes;
        seq.nodes.push_back(std::move(node));
        for (const ProductId id : makes)
            add_replacements(seq, id);
    };

    sequences.clear();
    sequences.emplace_back();
    for (ProductId id = 0; id < input_products; ++id)
        add_replacements(sequences[0], id);
    for (const auto& step : plan.global)
        add_step(sequences[0], step, true);

    std::set<std::string> pipeline_names;
    for (const auto& p : plan.pipelines) {
        const std::string key = "pipelines." + p.name;
        if (bad_name(p.name) || p.name == "report.json")
            throw InputError(place_of(plan, key).file, place_of(plan, key).line, key,
                             "pipeline name '" + p.name +
                                 "' must be non-empty, without '/' and not report.json (it names a folder "
                                 "beside the run's report.json)");
        if (!pipeline_names.insert(p.name).second)
            throw InputError(place_of(plan, key).file, place_of(plan, key).line, key,
                             "pipeline '" + p.name + "' is defined twice");
        Sequence seq;
        seq.name = p.name;
        for (const auto& step : p.steps)
            add_step(seq, step, false);
        std::set<std::string> consumer_names;
        for (const auto& node : seq.nodes)
            if (node.kind == NodeKind::consumer &&
                (node.step->name().find("__") != std::string::npos || node.step->name() == "cutflow"))
                throw InputError(node.step->place().file, node.step->place().line, node.step->name(),
                                 "consumer '" + node.step->name() + "' of pipeline '" + p.name +
                                     "': its outputs are NAME.* and NAME__SHIFT.* beside cutflow.json, so "
                                     "the name may not hold '__' nor be 'cutflow'");
            else if (node.kind == NodeKind::consumer && !consumer_names.insert(node.step->name()).second)
                throw InputError(node.step->place().file, node.step->place().line, node.step->name(),
                                 "pipeline '" + p.name + "' has two consumers named '" + node.step->name() +
                                     "'; their outputs would overwrite each other");
        sequences.push_back(std::move(seq));
    }

    // Shifts of products that nothing makes.
    for (const auto& [product, list] : pending) {
        const Shift& shift = plan.shifts[list.front().first];
        // the replacement's own place (its line in the shift's map), else the shift's
        const StepPlace& made = list.front().second->producer->place();
        const Plan::Place defined = place_of(plan, "shifts." + shift.name);
        const std::string& file = made.file.empty() ? defined.file : made.file;
        const int line = made.file.empty() ? defined.line : made.line;
        try {
            schema.require(product, "shift " + shift.name);
        } catch (const InputError& e) {
            throw InputError(file, line, "shifts." + shift.name + "." + product, e.message());
        }
        // Every product made is offered to the shifts when it is made; only a shift's own internal
        // products (name@shift) are not.
        throw InputError(
            file, line, "shifts." + shift.name + "." + product,
            "shift '" + shift.name + "' replaces '" + product +
                "', the internal product of another shift's replacement; replace the product itself");
    }

    // Pipelines' shifts and weights.
    for (std::size_t p = 0; p < plan.pipelines.size(); ++p) {
        const Pipeline& pipe = plan.pipelines[p];
        Sequence& seq = sequences[p + 1];
        const std::string key = "pipelines." + pipe.name;
        std::set<std::string> seen;
        for (const auto& name : pipe.shifts) {
            const auto it = std::find_if(plan.shifts.begin(), plan.shifts.end(),
                                         [&](const Shift& s) { return s.name == name; });
            if (it == plan.shifts.end()) {
                std::vector<std::string> known;
                for (const auto& s : plan.shifts)
                    known.push_back(s.name);
                throw InputError(
                    place_of(plan, key + ".shifts").file, place_of(plan, key + ".shifts").line,
                    key + ".shifts",
                    "pipeline '" + pipe.name + "' runs under shift '" + name +
                        "', which is not defined (shifts: " + (known.empty() ? "none" : join(known)) + ")");
            }
            if (!seen.insert(name).second)
                throw InputError(place_of(plan, key + ".shifts").file, place_of(plan, key + ".shifts").line,
                                 key + ".shifts",
                                 "pipeline '" + pipe.name + "' lists shift '" + name + "' twice");
            seq.shifts.push_back(static_cast<std::size_t>(it - plan.shifts.begin()));
        }
        if (pipe.weight.empty())
            continue;
        ProductId w = 0;
        try {
            w = schema.require(pipe.weight, "the cut flow of pipeline " + pipe.name);
        } catch (const InputError& e) {
            throw InputError(place_of(plan, key + ".weight").file, place_of(plan, key + ".weight").line,
                             key + ".weight", e.message());
        }
        const ProductInfo& info = schema.info(w);
        if (info.jagged)
            throw InputError(place_of(plan, key + ".weight").file, place_of(plan, key + ".weight").line,
                             key + ".weight",
                             "the weight '" + pipe.weight + "' of pipeline '" + pipe.name + "' is " +
                                 describe(info) + "; a cut-flow weight has one value per event");
        // The cut flow counts weights from its first row ("all") on, so the weight must be known
        // for every event: made before the first filter that can drop one.
        auto made_after_filter = [&](const Sequence& s, bool& filtered) -> const Node* {
            for (const auto& node : s.nodes) {
                if (node.kind == NodeKind::filter)
                    filtered = true;
                if (filtered && node.kind == NodeKind::producer &&
                    std::find(node.makes.begin(), node.makes.end(), w) != node.makes.end())
                    return &node;
            }
            return nullptr;
        };
        bool filtered = false;
        const Node* late = made_after_filter(sequences[0], filtered);
        if (!late)
            late = made_after_filter(seq, filtered);
        if (late)
            throw InputError(
                place_of(plan, key + ".weight").file, place_of(plan, key + ".weight").line, key + ".weight",
                "the weight '" + pipe.weight + "' of pipeline '" + pipe.name + "' is made by " + late->label +
                    " after a filter; the cut flow needs the weight of every event: make it "
                    "before the first filter");
        seq.weight = w;
    }
}

Runner::Runner(Plan plan) : impl_(std::make_unique<Impl>()) {
    impl_->plan = std::move(plan);
}

Runner::Runner(Plan plan, std::vector<io::Column> columns) : Runner(std::move(plan)) {
    impl_->memory = std::make_shared<const std::vector<io::Column>>(std::move(columns));
}

Runner::~Runner() = default;
Runner::Runner(Runner&&) noexcept = default;
Runner& Runner::operator=(Runner&&) noexcept = default;

void Runner::prepare() {
    if (impl_->prepared)
        throw std::logic_error("Runner::prepare: called twice");
    impl_->declare_inputs();
    impl_->declare_steps();
    impl_->analyse();
    impl_->plan_batches();
    impl_->prepared = true;
}

const Schema& Runner::schema() const {
    return impl_->schema;
}

std::vector<std::string> Runner::rerun_steps(const std::string& pipeline, const std::string& shift) const {
    if (!impl_->prepared)
        throw std::logic_error("Runner::rerun_steps: prepare() first");
    const Impl& m = *impl_;
    std::size_t seq = 0;
    if (!pipeline.empty()) {
        for (std::size_t p = 1; p < m.sequences.size(); ++p)
            if (m.sequences[p].name == pipeline)
                seq = p;
        if (seq == 0)
            throw std::invalid_argument("Runner::rerun_steps: no pipeline '" + pipeline + "'");
    }
    const Sequence& s = m.sequences[seq];
    std::size_t v = 0;
    if (!shift.empty()) {
        for (std::size_t k = 0; k < s.shifts.size(); ++k)
            if (m.shift_name(s.shifts[k]) == shift)
                v = k + 1;
        if (v == 0)
            return {};
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < s.nodes.size(); ++i)
        if (s.rerun[v][i])
            out.push_back(s.nodes[i].step->name());
    return out;
}

std::int64_t Runner::events() const {
    return impl_->total_events;
}

std::size_t Runner::batches() const {
    return impl_->batches.size();
}

} // namespace hepkit::events
