#pragma once
/// @file
/// Weighted max-min fair sharing of resources among variables, solved incrementally.
///
/// The system (the same one SimGrid's `lmm` solves, see its src/kernel/lmm/System.hpp):
///
///   resources  r  with capacity C_r and a sharing policy
///   variables  v  with penalty p_v > 0, optional bound b_v, multiplicity n_v >= 1,
///                 and consumption weights w_{r,v} on the resources they use
///
///   shared r :   sum_v  n_v * w_{r,v} * x_v  <= C_r
///   fatpipe r:   max_v  w_{r,v} * x_v        <= C_r   (each user alone is limited)
///   bound     :  x_v <= b_v
///
/// The solution is weighted max-min fair: all variables rise together at speed 1/p_v (progressive
/// filling); a variable stops when one of its resources saturates or it reaches its bound. A
/// variable with multiplicity n stands for n identical users (same resources, weights, penalty
/// and bound), which max-min fairness always gives the same value, so n users cost O(1).
///
/// Incremental solving: every change marks the resources it touches. solve(Mode::lazy) re-solves
/// only the connected component(s) of the modified resources (max-min decomposes exactly over
/// connected components); Mode::full re-solves every active resource. Both report only the
/// variables whose value changed bit-wise, and both give bit-identical values.
///
/// Shortcut (lazy only): when only the multiplicity of a variable held at its own bound changes,
/// and none of its resources is saturated before or after (shared resources, margin 1e-9 of the
/// capacity), the max-min solution of every other variable is unchanged — the variable's
/// resources never fix anyone — so the change is booked into the resources' remaining capacity
/// without a re-solve.
///
/// Slack decomposition (lazy only): a shared resource with spare capacity in the current solution
/// (remaining > 1e-9 of its capacity) is nobody's bottleneck, so the max-min solution is the same
/// without it. The search for the component to re-solve therefore does not pass through such
/// resources: with many flows through one under-used storage link, a change on one worker
/// re-solves that worker's link, not every link behind the storage. The candidate is accepted
/// only if every skipped resource still has spare capacity under the new values (checked exactly
/// over its users); otherwise the component is re-solved with them included. Both ways give the
/// unique max-min solution, so lazy and full stay bit-identical (each variable is fixed by the
/// same resources, in the same order).
///
/// Hot path: solve(); measure with benchmarks/ before changing it.

#include "hepkit/core/EnumTable.hpp"
#include "hepkit/core/SlotPool.hpp"

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace hepkit::sim {

class MaxMinSolver {
  public:
    using ResourceId = std::uint32_t;
    using VariableId = std::uint32_t;
    enum class Sharing { shared, fatpipe };
    enum class Mode { lazy, full };
    struct Element {
        ResourceId resource;
        double weight; ///< consumption weight w_{r,v} > 0
    };
    static constexpr double unbounded = -1.0;

    /// Adds a resource of `capacity` (> 0) units per second.
    ResourceId add_resource(double capacity, Sharing sharing);
    std::size_t resource_count() const { return resources_.size(); }
    double capacity(ResourceId r) const { return resources_[r].capacity; }
    Sharing sharing(ResourceId r) const { return resources_[r].sharing; }

    /// Adds a variable with multiplicity 0 (inactive). Elements naming the same resource twice
    /// are merged (weights add on shared resources, the larger one counts on fatpipes), as
    /// SimGrid does for a link that is in both the route and the reverse route of a flow.
    /// @param penalty  p_v > 0; the value grows as 1/p_v. 0 means "not sharing yet" (inactive).
    /// @param bound    b_v > 0, or `unbounded`
    VariableId add_variable(double penalty, double bound, std::span<const Element> elements);
    /// Removes a variable (its id may be reused by a later add_variable).
    void remove_variable(VariableId v);

    void set_count(VariableId v, std::uint64_t n);
    void set_penalty(VariableId v, double penalty);
    void set_bound(VariableId v, double bound);
    std::uint64_t count(VariableId v) const { return variables_[v].count; }
    double penalty(VariableId v) const { return variables_[v].penalty; }
    double bound(VariableId v) const { return variables_[v].bound; }
    /// Value x_v per user after the last solve(); +infinity for an active variable that uses no
    /// resource and has no bound; 0 for an inactive one.
    double value(VariableId v) const { return variables_[v].value; }
    bool active(VariableId v) const { return variables_[v].count > 0 && variables_[v].penalty > 0; }

    /// Calls f(variable, weight) for every variable using resource r (for measurements).
    template <typename F>
    void for_each_user(ResourceId r, F&& f) const {
        for (const ResElem& u : resources_[r].users)
            f(u.variable, variables_[u.variable].elems[u.elem].weight);
    }

    /// Re-solves and appends to `changed` every variable whose value changed.
    void solve(Mode mode, std::vector<VariableId>& changed);
    /// True if some change is waiting for solve().
    bool dirty() const {
        return !modified_.empty() || !count_changes_.empty() || !modified_isolated_.empty();
    }
    /// Count changes that needed no re-solve (see solve()); for benchmarks.
    std::uint64_t shortcuts() const { return shortcuts_; }
    /// Turns the slack decomposition of lazy solves on (default) or off; results are identical.
    void set_slack_decomposition(bool on) { slack_decomposition_ = on; }
    /// Slack decompositions rejected by the check (re-solved with the skipped resources).
    std::uint64_t slack_fallbacks() const { return slack_fallbacks_; }

    /// Statistics: resources visited by solve() since construction (lazy vs full cost).
    std::uint64_t resources_solved() const { return resources_solved_; }
    /// Statistics: variables (classes) visited by solve() since construction.
    std::uint64_t variables_solved() const { return variables_solved_; }

  private:
    struct VarElem {
        ResourceId resource;
        double weight;
        std::uint32_t slot; ///< index of the matching entry in the resource's user list
    };
    struct ResElem {
        VariableId variable;
        std::uint32_t elem; ///< index of the matching entry in the variable's element list
    };
    struct Resource {
        double capacity = 0;
        Sharing sharing = Sharing::shared;
        std::vector<ResElem> users;
        bool modified = false;
        // scratch of one solve
        std::uint64_t epoch = 0;
        double remaining = 0;
        double usage = 0;
        std::uint32_t unfixed = 0;
        std::uint32_t version = 0;
        std::uint64_t touched_round = 0; ///< last round in which it entered touched_
        bool load_valid = false;         ///< `remaining` = capacity - current load (set by a solve)
        std::uint64_t skip_epoch = 0;    ///< solve in which it was skipped as slack
        std::uint64_t keep_epoch = 0;    ///< solve in which it must not be skipped
    };
    struct Variable {
        double penalty = 0;
        double bound = unbounded;
        std::uint64_t count = 0;
        double value = 0;
        std::vector<VarElem> elems;
        bool alive = false;
        // scratch of one solve
        std::uint64_t epoch = 0;
        bool fixed = false;
        double next_value = 0;
        bool count_pending = false; ///< count changed since the last solve (shortcut candidate)
        std::uint64_t pending_old_count = 0;
    };
    struct LevelEntry {
        double level;
        ResourceId resource;
        std::uint32_t version;
    };

    void mark_modified(VariableId v);
    bool try_shortcut(VariableId v);
    void mark_resource(ResourceId r);
    bool skippable(ResourceId r) const;
    void skip(ResourceId r);
    void collect_component(ResourceId seed);
    void collect(Mode mode);
    bool skipped_stay_slack();
    void fill();
    void commit(std::vector<VariableId>& changed);
    void fix(VariableId v, double x);
    void push_level(ResourceId r);

    std::vector<Resource> resources_;
    SlotPool<Variable, VariableId> variables_;
    std::vector<ResourceId> modified_;
    std::vector<VariableId> modified_vars_; ///< variables changed since the last solve (seeds)
    std::vector<ResourceId> seeds_;         ///< modified_ of the solve in progress (for a retry)
    std::vector<ResourceId> skipped_;       ///< slack resources not searched through
    bool allow_skip_ = false;
    bool slack_decomposition_ = true;
    std::uint64_t slack_fallbacks_ = 0;
    std::vector<VariableId> modified_isolated_; ///< active variables with no resource
    std::uint64_t epoch_ = 0;
    std::uint64_t resources_solved_ = 0;
    std::uint64_t variables_solved_ = 0;
    // scratch buffers reused across solves (no allocation in the steady state)
    std::vector<ResourceId> comp_resources_;
    std::vector<VariableId> comp_variables_;
    std::vector<VariableId> bounded_;
    std::size_t unfixed_ = 0; ///< variables of the component not yet fixed (fill)
    std::vector<LevelEntry> heap_;
    std::vector<ResourceId> touched_;
    std::vector<VariableId> count_changes_;
    std::uint64_t shortcuts_ = 0;
    std::uint64_t round_ = 0; ///< rounds of progressive filling, for de-duplicating touched_
};

/// Names of the solver modes (`hepkit sim --solver`).
inline constexpr auto solver_modes = make_enum_table<MaxMinSolver::Mode>(
    "solver mode", {{"lazy", MaxMinSolver::Mode::lazy}, {"full", MaxMinSolver::Mode::full}});

} // namespace hepkit::sim
