#pragma once
/// @file
/// The discrete-event kernel: clock, event queue, activities and their sharing of resources.
///
/// An activity is an amount of work (bytes, flop) that progresses at a rate set by the
/// max-min solver. Activities with identical sharing (same resources and weights, penalty,
/// bound and rate factor) form one *class*: one solver variable with multiplicity n. Inside a
/// class all members progress at the same rate, so the class keeps a virtual clock V(t) = the
/// work each member has done since the class was created (as in processor-sharing queues,
/// Kleinrock 1976, vol. II ch. 4). A member that joins at V0 with amount A finishes when
/// V = V0 + A; members sit in a heap ordered by that finishing value. Joining or leaving costs
/// O(log n), never O(n); see docs/models.md.
///
/// Events at the same time are all processed before the solver runs once. Ties are broken
/// by insertion order, so runs are reproducible bit for bit.
///
/// The engine knows resources and activities only, never hosts, links, jobs or files.

#include "hepkit/sim/engine/MaxMinSolver.hpp"

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace hepkit::sim {

using ActivityId = std::uint32_t;
using SpecId = std::uint32_t; ///< an interned SharingSpec
using ResourceId = MaxMinSolver::ResourceId;

/// How an activity shares resources. Two activities with equal specs share one class.
struct SharingSpec {
    std::vector<MaxMinSolver::Element> elements; ///< resources used and consumption weights
    double penalty = 1.0;                        ///< SimGrid's sharing penalty: rate grows as 1/penalty
    double bound = MaxMinSolver::unbounded;      ///< per-activity bound on the solver value
    double rate_factor = 1.0;                    ///< effective rate = solver value * rate_factor
};

class Engine {
  public:
    struct Config {
        /// lazy: re-solve only the part of the system a change touches; full: re-solve everything
        /// at every step (slow; kept to check the lazy mode).
        MaxMinSolver::Mode mode = MaxMinSolver::Mode::lazy;
        /// Activities whose predicted completion lies within this many seconds of an event are
        /// completed at that event (SimGrid's `surf/precision`, 1e-9 s).
        double time_precision = 1e-9;
        /// Horizon (s): run() fails with an InputError (key `max_sim_time`) when the next event
        /// lies beyond it. 1e12 s is about 31 700 years; far beyond it the clock stops being a
        /// clock (at 1e17 s, t + 60 == t), so a run that gets there has absurd inputs.
        double max_time = default_max_time;
    };
    static constexpr double default_max_time = 1e12;
    /// Receives activity completions and timers; called from run().
    struct Listener {
        virtual ~Listener() = default;
        virtual void on_activity_done(ActivityId id, double now) = 0;
        virtual void on_timer(std::uint64_t token, double now) = 0;
    };

    Engine() : Engine(Config{}) {}
    explicit Engine(Config config);

    void set_listener(Listener* listener) { listener_ = listener; }
    /// Changes the horizon (Config::max_time), e.g. from a scenario's `max_sim_time`.
    void set_max_time(double seconds) { config_.max_time = seconds; }
    double max_time() const { return config_.max_time; }

    ResourceId add_resource(double capacity, MaxMinSolver::Sharing sharing);
    double capacity(ResourceId r) const { return solver_.capacity(r); }

    /// Interns a sharing spec: equal specs get the same id, valid for the engine's lifetime.
    /// Models intern their specs once and start activities by id (no hashing per activity).
    SpecId intern(const SharingSpec& spec);
    const SharingSpec& spec(SpecId id) const { return specs_[id]; }

    /// Starts an activity of `amount` (> 0) work units now. Its id stays valid until the activity
    /// ends (is reported done) or is cancelled; afterwards the id may be given to a new activity,
    /// so that long runs do not accumulate state per finished activity. If `delay` > 0 it first waits that
    /// long without using resources (a network latency), then joins its class.
    ActivityId start(double amount, SpecId spec, double delay = 0.0);
    ActivityId start(double amount, const SharingSpec& s, double delay = 0.0) {
        return start(amount, intern(s), delay);
    }
    /// Cancels a running activity; no completion is reported for it.
    void cancel(ActivityId id);
    /// Calls the listener's on_timer(token) at time `when` (>= now).
    void schedule_timer(double when, std::uint64_t token);

    /// Runs until no event is left (or until `until`, if given). Returns the final clock.
    double run(double until = std::numeric_limits<double>::infinity());

    double now() const { return now_; }
    /// Work still to do, as of now.
    double remaining(ActivityId id) const;
    /// Current rate in work units per second (0 during the delay phase).
    double rate(ActivityId id) const;
    bool running(ActivityId id) const;

    /// Work per second flowing through resource r now: sum over its activities of rate x weight.
    double resource_rate(ResourceId r) const;

    std::uint64_t events_processed() const { return events_; }
    std::size_t class_count() const { return classes_.in_use(); }
    const MaxMinSolver& solver() const { return solver_; }
    /// See MaxMinSolver::set_slack_decomposition (benchmarks compare both in one run).
    void set_slack_decomposition(bool on) { solver_.set_slack_decomposition(on); }

  private:
    using ClassId = std::uint32_t;
    static constexpr ClassId no_class = ~ClassId{0};
    static constexpr std::uint32_t no_pos = ~std::uint32_t{0};
    enum class EventKind : std::uint8_t { timer, delay_done };
    struct Event {
        double time;
        std::uint64_t seq;
        std::uint64_t payload; ///< timer token or activity id
        EventKind kind;
    };
    /// Entry of the indexed heap of class completion dates (updated in place, never stale).
    struct Due {
        double time;
        std::uint64_t seq;
        ClassId cls;
    };
    struct Member {
        double finish_v;
        std::uint64_t seq;
        ActivityId activity;
    };
    struct FlowClass {
        MaxMinSolver::VariableId var = 0;
        double rate_factor = 1.0;
        double v = 0;                   ///< virtual work per member since creation
        double last_update = 0;         ///< time at which v was last advanced
        double rate = 0;                ///< current per-member rate
        std::uint64_t members = 0;      ///< members sharing now
        std::uint64_t pending = 0;      ///< members still in their delay phase
        std::uint32_t due_pos = no_pos; ///< position in due_heap_, or no_pos
        bool needs_reschedule = false;
        std::vector<Member> heap;
        SpecId spec = 0;
        bool alive = false;
    };
    enum class State : std::uint8_t { delayed, running, done, cancelled };
    struct Activity {
        double amount = 0;
        double finish_v = 0;
        ClassId cls = no_class;
        State state = State::delayed;
    };

    ClassId class_for(SpecId spec);
    void join(ActivityId id);
    void advance(FlowClass& c);
    void reschedule(ClassId id);
    void push_event(double time, EventKind kind, std::uint64_t payload);
    void due_set(ClassId id, double time);
    void due_erase(ClassId id);
    void due_sift_up(std::uint32_t pos);
    void due_sift_down(std::uint32_t pos);
    void due_place(std::uint32_t pos, const Due& d);
    void handle_class_due(ClassId id);
    void release_class_if_empty(ClassId id);
    void resolve();
    void release(ActivityId id) { activities_.release(id); }

    Config config_;
    MaxMinSolver solver_;
    Listener* listener_ = nullptr;
    double now_ = 0;
    std::uint64_t seq_ = 0;
    std::uint64_t events_ = 0;
    std::vector<Event> queue_;
    SlotPool<Activity, ActivityId> activities_;
    SlotPool<FlowClass, ClassId> classes_;
    std::vector<ClassId> var_to_class_;
    std::unordered_multimap<std::uint64_t, SpecId> spec_index_; ///< hash -> interned spec
    std::vector<SharingSpec> specs_;
    std::vector<ClassId> spec_class_; ///< the live class of each spec, or no_class
    std::vector<MaxMinSolver::VariableId> changed_;
    std::vector<ClassId> to_reschedule_;
    std::vector<Due> due_heap_;
    std::vector<ActivityId> finished_;
};

} // namespace hepkit::sim
