#include "hepkit/sim/engine/MaxMinSolver.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <stdexcept>

namespace hepkit::sim {
namespace {
constexpr double infinity = std::numeric_limits<double>::infinity();

// Min-heap order on (level, resource id): ties resolve by id so that the order of work is
// reproducible and the same whether one component or the whole system is solved.
bool heap_after(const auto& a, const auto& b) {
    if (a.level != b.level)
        return a.level > b.level;
    return a.resource > b.resource;
}
} // namespace

MaxMinSolver::ResourceId MaxMinSolver::add_resource(double capacity, Sharing sharing) {
    if (!(capacity > 0))
        throw std::invalid_argument("MaxMinSolver: resource capacity must be > 0");
    Resource r;
    r.capacity = capacity;
    r.sharing = sharing;
    resources_.push_back(std::move(r));
    return static_cast<ResourceId>(resources_.size() - 1);
}

MaxMinSolver::VariableId MaxMinSolver::add_variable(double penalty, double bound,
                                                    std::span<const Element> elements) {
    const VariableId id = variables_.acquire();
    Variable& var = variables_[id];
    var.penalty = penalty;
    var.bound = bound;
    var.count = 0;
    var.value = 0;
    var.alive = true;
    var.epoch = 0;
    var.elems.clear();
    for (const Element& e : elements) {
        assert(e.resource < resources_.size());
        auto it = std::find_if(var.elems.begin(), var.elems.end(),
                               [&](const VarElem& x) { return x.resource == e.resource; });
        if (it != var.elems.end()) {
            if (resources_[e.resource].sharing == Sharing::shared)
                it->weight += e.weight;
            else
                it->weight = std::max(it->weight, e.weight);
            continue;
        }
        Resource& res = resources_[e.resource];
        var.elems.push_back(VarElem{e.resource, e.weight, static_cast<std::uint32_t>(res.users.size())});
        res.users.push_back(ResElem{id, static_cast<std::uint32_t>(var.elems.size() - 1)});
    }
    return id;
}

void MaxMinSolver::remove_variable(VariableId v) {
    Variable& var = variables_[v];
    if (active(v))
        mark_modified(v);
    for (const VarElem& e : var.elems) {
        Resource& res = resources_[e.resource];
        // swap-remove our entry and fix the back-pointer of the entry moved into its place
        const std::uint32_t slot = e.slot;
        res.users[slot] = res.users.back();
        res.users.pop_back();
        if (slot < res.users.size()) {
            const ResElem moved = res.users[slot];
            variables_[moved.variable].elems[moved.elem].slot = slot;
        }
    }
    var.elems.clear();
    var.alive = false;
    var.count = 0;
    var.value = 0;
    variables_.release(v);
}

void MaxMinSolver::mark_resource(ResourceId r) {
    if (!resources_[r].modified) {
        resources_[r].modified = true;
        modified_.push_back(r);
    }
}

void MaxMinSolver::mark_modified(VariableId v) {
    const Variable& var = variables_[v];
    modified_vars_.push_back(v);
    if (var.elems.empty()) {
        modified_isolated_.push_back(v);
        // isolated variables are solved without any resource; keep `dirty()` meaningful
        return;
    }
    for (const VarElem& e : var.elems)
        mark_resource(e.resource);
}

void MaxMinSolver::set_count(VariableId v, std::uint64_t n) {
    Variable& var = variables_[v];
    if (var.count == n)
        return;
    const bool was_active = active(v);
    const std::uint64_t old = var.count;
    var.count = n;
    if (var.count_pending) { // already waiting for solve(); leaving takes the normal path
        if (!active(v))
            mark_modified(v);
        return;
    }
    if (was_active && active(v) && var.bound > 0 && !var.elems.empty()) {
        var.count_pending = true;
        var.pending_old_count = old;
        count_changes_.push_back(v);
        return;
    }
    if (was_active || active(v))
        mark_modified(v);
}

bool MaxMinSolver::try_shortcut(VariableId v) {
    const Variable& var = variables_[v];
    if (var.value != var.bound)
        return false;
    const double dn = static_cast<double>(var.count) - static_cast<double>(var.pending_old_count);
    for (const VarElem& e : var.elems) {
        const Resource& res = resources_[e.resource];
        if (res.sharing != Sharing::shared || !res.load_valid || res.modified)
            return false;
        const double margin = 1e-9 * res.capacity;
        if (!(res.remaining > margin) || !(res.remaining - dn * e.weight * var.bound > margin))
            return false;
    }
    for (const VarElem& e : var.elems)
        resources_[e.resource].remaining -= dn * e.weight * var.bound;
    ++shortcuts_;
    return true;
}

void MaxMinSolver::set_penalty(VariableId v, double penalty) {
    Variable& var = variables_[v];
    if (var.penalty == penalty)
        return;
    const bool was_active = active(v);
    var.penalty = penalty;
    if (was_active || active(v))
        mark_modified(v);
}

void MaxMinSolver::set_bound(VariableId v, double bound) {
    Variable& var = variables_[v];
    if (var.bound == bound)
        return;
    var.bound = bound;
    if (active(v))
        mark_modified(v);
}

bool MaxMinSolver::skippable(ResourceId r) const {
    const Resource& res = resources_[r];
    return allow_skip_ && res.sharing == Sharing::shared && res.load_valid && res.keep_epoch != epoch_ &&
           res.remaining > 1e-9 * res.capacity;
}

void MaxMinSolver::skip(ResourceId r) {
    if (resources_[r].skip_epoch != epoch_) {
        resources_[r].skip_epoch = epoch_;
        skipped_.push_back(r);
    }
}

void MaxMinSolver::collect_component(ResourceId seed) {
    // Breadth-first search over the bipartite resource/variable graph restricted to active
    // variables, not passing through slack resources (see the header). comp_resources_ doubles
    // as the BFS queue.
    if (resources_[seed].epoch == epoch_ || resources_[seed].skip_epoch == epoch_)
        return;
    if (skippable(seed)) {
        skip(seed);
        return;
    }
    std::size_t head = comp_resources_.size();
    resources_[seed].epoch = epoch_;
    comp_resources_.push_back(seed);
    while (head < comp_resources_.size()) {
        const ResourceId r = comp_resources_[head++];
        for (const ResElem& u : resources_[r].users) {
            Variable& var = variables_[u.variable];
            if (var.epoch == epoch_ || !(var.count > 0 && var.penalty > 0))
                continue;
            var.epoch = epoch_;
            comp_variables_.push_back(u.variable);
            for (const VarElem& e : var.elems) {
                Resource& res = resources_[e.resource];
                if (res.epoch == epoch_ || res.skip_epoch == epoch_)
                    continue;
                if (skippable(e.resource)) {
                    skip(e.resource);
                } else {
                    res.epoch = epoch_;
                    comp_resources_.push_back(e.resource);
                }
            }
        }
    }
}

// The variables and resources to re-solve: everything (full), or the components of what changed.
void MaxMinSolver::collect(Mode mode) {
    comp_resources_.clear();
    comp_variables_.clear();
    skipped_.clear();
    if (mode == Mode::full) {
        for (ResourceId r = 0; r < resources_.size(); ++r)
            collect_component(r);
        for (VariableId v = 0; v < variables_.size(); ++v) {
            Variable& var = variables_[v];
            if (var.alive && var.elems.empty() && var.count > 0 && var.penalty > 0 && var.epoch != epoch_) {
                var.epoch = epoch_;
                comp_variables_.push_back(v);
            }
        }
        return;
    }
    // A changed variable that may not fit into the spare capacity of its resources will saturate
    // one of them: keep those, rather than skip them and fail the check afterwards. Its value is
    // at most its bound and at most C_r / (n w_r) on each of its resources.
    if (allow_skip_)
        for (VariableId v : modified_vars_) {
            const Variable& var = variables_[v];
            if (!var.alive || !(var.count > 0 && var.penalty > 0))
                continue;
            const double n = static_cast<double>(var.count);
            double most = var.bound > 0 ? var.bound : infinity;
            for (const VarElem& e : var.elems)
                if (resources_[e.resource].sharing == Sharing::shared)
                    most = std::min(most, resources_[e.resource].capacity / (n * e.weight));
            for (const VarElem& e : var.elems) {
                Resource& res = resources_[e.resource];
                if (!(res.remaining - n * e.weight * most > 1e-9 * res.capacity))
                    res.keep_epoch = epoch_;
            }
        }
    for (ResourceId r : seeds_)
        collect_component(r);
    // changed variables not reached (isolated, or all their resources slack) are solved alone;
    // the slack check then decides whether that holds
    for (VariableId v : modified_vars_) {
        Variable& var = variables_[v];
        if (var.alive && var.count > 0 && var.penalty > 0 && var.epoch != epoch_) {
            var.epoch = epoch_;
            comp_variables_.push_back(v);
        }
    }
}

// Whether every skipped resource keeps spare capacity under the candidate values (exact sum over
// its users); records the new load when it does.
bool MaxMinSolver::skipped_stay_slack() {
    for (ResourceId r : skipped_) {
        Resource& res = resources_[r];
        double load = 0;
        for (const ResElem& u : res.users) {
            const Variable& var = variables_[u.variable];
            if (!(var.count > 0 && var.penalty > 0))
                continue;
            const double x = var.epoch == epoch_ ? (var.fixed ? var.next_value : infinity) : var.value;
            load += static_cast<double>(var.count) * var.elems[u.elem].weight * x;
        }
        if (!(res.capacity - load > 1e-9 * res.capacity))
            return false;
        res.remaining = res.capacity - load;
    }
    return true;
}

void MaxMinSolver::solve(Mode mode, std::vector<VariableId>& changed) {
    for (VariableId v : count_changes_) {
        Variable& var = variables_[v];
        if (!var.count_pending)
            continue;
        var.count_pending = false;
        if (!var.alive)
            continue; // removed after leaving: its resources were marked then
        if (mode == Mode::full || !active(v) || !try_shortcut(v))
            mark_modified(v);
    }
    count_changes_.clear();
    ++epoch_;

    // Variables that became inactive drop to 0 (they are no longer reachable by the search).
    auto deactivate = [&](VariableId v) {
        Variable& var = variables_[v];
        if (var.alive && !(var.count > 0 && var.penalty > 0) && var.value != 0) {
            var.value = 0;
            changed.push_back(v);
        }
    };
    for (ResourceId r : modified_)
        for (const ResElem& u : resources_[r].users)
            deactivate(u.variable);
    for (VariableId v : modified_isolated_)
        deactivate(v);

    seeds_.swap(modified_);
    for (VariableId v : modified_isolated_)
        modified_vars_.push_back(v);
    allow_skip_ = mode == Mode::lazy && slack_decomposition_;
    collect(mode);
    resources_solved_ += comp_resources_.size();
    variables_solved_ += comp_variables_.size();
    fill();
    if (!skipped_.empty() && !skipped_stay_slack()) {
        // a skipped resource would be over-used: solve the whole component with it
        ++slack_fallbacks_;
        ++epoch_;
        allow_skip_ = false;
        collect(mode);
        resources_solved_ += comp_resources_.size();
        variables_solved_ += comp_variables_.size();
        fill();
    }
    commit(changed);
    for (ResourceId r : seeds_)
        resources_[r].modified = false;
    seeds_.clear();
    modified_vars_.clear();
    modified_isolated_.clear();
}

void MaxMinSolver::push_level(ResourceId r) {
    Resource& res = resources_[r];
    ++res.version;
    if (res.unfixed == 0 || !(res.usage > 0))
        return;
    const double level = std::max(0.0, res.remaining) / res.usage;
    heap_.push_back(LevelEntry{level, r, res.version});
    std::push_heap(heap_.begin(), heap_.end(),
                   [](const LevelEntry& a, const LevelEntry& b) { return heap_after(a, b); });
}

void MaxMinSolver::fix(VariableId v, double x) {
    Variable& var = variables_[v];
    var.fixed = true;
    --unfixed_;
    var.next_value = x;
    const double n = static_cast<double>(var.count);
    for (const VarElem& e : var.elems) {
        Resource& res = resources_[e.resource];
        if (res.epoch != epoch_)
            continue; // a slack resource outside the component: checked after the solve
        --res.unfixed;
        if (res.sharing == Sharing::shared) {
            res.remaining -= n * e.weight * x;
            res.usage -= n * e.weight / var.penalty;
        }
        // each resource once per round: with many users, duplicates would flood the level heap
        if (res.touched_round != round_) {
            res.touched_round = round_;
            touched_.push_back(e.resource);
        }
    }
}

void MaxMinSolver::fill() {
    // Progressive filling (weighted max-min, Bertsekas & Gallager, "Data Networks", 6.5.2):
    // the "level" L rises; variable v holds x_v = L / p_v until fixed. A shared resource saturates
    // at L = remaining / sum(n w / p) over its unfixed users; a fatpipe at L = C / max(w / p).
    if (comp_resources_.size() == 1 && comp_variables_.size() == 1) {
        // Fast path (one class on one resource, e.g. the computations of a host): the same
        // expressions as the general path below, so lazy and full stay bit-identical.
        const VariableId v = comp_variables_[0];
        Variable& var = variables_[v];
        const Resource& res = resources_[comp_resources_[0]];
        if (var.elems.size() == 1 && var.elems[0].resource == comp_resources_[0]) {
            const double w = var.elems[0].weight / var.penalty;
            const double usage =
                res.sharing == Sharing::shared ? static_cast<double>(var.count) * w : std::max(0.0, w);
            double x = var.bound > 0 ? var.bound : infinity;
            Resource& lone = resources_[comp_resources_[0]];
            if (usage > 0) {
                const double level = std::max(0.0, res.capacity) / usage;
                if (!(var.bound > 0 && var.bound * var.penalty < level))
                    x = level / var.penalty;
            }
            lone.load_valid = res.sharing == Sharing::shared && std::isfinite(x);
            if (lone.load_valid)
                lone.remaining = res.capacity - static_cast<double>(var.count) * var.elems[0].weight * x;
            var.fixed = true;
            var.next_value = x;
            return;
        }
    }
    heap_.clear();
    bounded_.clear();
    for (VariableId v : comp_variables_) {
        Variable& var = variables_[v];
        var.fixed = false;
        if (var.bound > 0)
            bounded_.push_back(v);
    }
    // Sum in each resource's own user order, not in search order: floating-point addition is
    // not associative, and this keeps lazy and full solves bit-identical.
    for (ResourceId r : comp_resources_) {
        Resource& res = resources_[r];
        res.remaining = res.capacity;
        res.usage = 0;
        res.unfixed = 0;
        for (const ResElem& u : res.users) {
            const Variable& var = variables_[u.variable];
            if (var.epoch != epoch_)
                continue;
            ++res.unfixed;
            const double w = var.elems[u.elem].weight / var.penalty;
            if (res.sharing == Sharing::shared)
                res.usage += static_cast<double>(var.count) * w;
            else
                res.usage = std::max(res.usage, w);
        }
    }
    // Bounded variables in a min-heap on (bound × penalty, id): the same order as sorting them, but
    // O(n) to build, and usually only the few below the first saturation level are popped.
    auto later_bound = [&](VariableId a, VariableId b) {
        const double ka = variables_[a].bound * variables_[a].penalty;
        const double kb = variables_[b].bound * variables_[b].penalty;
        return ka != kb ? ka > kb : a > b;
    };
    std::make_heap(bounded_.begin(), bounded_.end(), later_bound);
    for (ResourceId r : comp_resources_)
        push_level(r);
    unfixed_ = comp_variables_.size();

    auto after = [](const LevelEntry& a, const LevelEntry& b) { return heap_after(a, b); };
    auto pop_bounded = [&] {
        std::pop_heap(bounded_.begin(), bounded_.end(), later_bound);
        bounded_.pop_back();
    };
    while (unfixed_ > 0) { // every variable fixed: nothing is left to fill
        while (!bounded_.empty() && variables_[bounded_.front()].fixed)
            pop_bounded();
        while (!heap_.empty() && heap_.front().version != resources_[heap_.front().resource].version) {
            std::pop_heap(heap_.begin(), heap_.end(), after);
            heap_.pop_back();
        }
        const bool have_bound = !bounded_.empty();
        if (heap_.empty() && !have_bound)
            break;
        touched_.clear();
        ++round_;
        if (have_bound) {
            const VariableId bid = bounded_.front();
            const Variable& bv = variables_[bid];
            const double key = bv.bound * bv.penalty;
            // Strictly below the next saturation level only: on a tie the resource saturates
            // first and fixes all its users at level / p (SimGrid's lmm does the same; on a
            // fatpipe this gives a user with a larger penalty less than its bound).
            if (heap_.empty() || key < heap_.front().level) {
                fix(bid, bv.bound);
                pop_bounded();
                goto update_touched;
            }
        }
        {
            const LevelEntry top = heap_.front();
            std::pop_heap(heap_.begin(), heap_.end(), after);
            heap_.pop_back();
            Resource& res = resources_[top.resource];
            ++res.version; // this resource is saturated: drop it from further rounds
            for (const ResElem& u : res.users) {
                Variable& var = variables_[u.variable];
                if (var.epoch != epoch_ || var.fixed)
                    continue;
                fix(u.variable, top.level / var.penalty);
            }
        }
    update_touched:
        for (ResourceId r : touched_) {
            Resource& res = resources_[r];
            if (res.sharing == Sharing::fatpipe) {
                res.usage = 0;
                for (const ResElem& u : res.users) {
                    const Variable& var = variables_[u.variable];
                    if (var.epoch == epoch_ && !var.fixed)
                        res.usage = std::max(res.usage, var.elems[u.elem].weight / var.penalty);
                }
            }
        }
        // A saturated resource was invalidated above and must stay out; only re-push the rest.
        for (ResourceId r : touched_) {
            Resource& res = resources_[r];
            if (res.epoch == epoch_ && res.unfixed > 0)
                push_level(r);
        }
    }
    for (ResourceId r : comp_resources_)
        resources_[r].load_valid = resources_[r].sharing == Sharing::shared;
}

void MaxMinSolver::commit(std::vector<VariableId>& changed) {
    for (VariableId v : comp_variables_) {
        Variable& var = variables_[v];
        const double x = var.fixed ? var.next_value : infinity;
        if (x != var.value) {
            var.value = x;
            changed.push_back(v);
        }
    }
}

} // namespace hepkit::sim
