#include "hepkit/sim/engine/Engine.hpp"

#include "hepkit/core/Error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace hepkit::sim {
namespace {

bool event_after(double ta, std::uint64_t sa, double tb, std::uint64_t sb) {
    return ta != tb ? ta > tb : sa > sb;
}

std::uint64_t hash_spec(const SharingSpec& spec) {
    // FNV-style mixing of the bit patterns: equal specs hash equally on every platform.
    std::uint64_t h = 0xcbf29ce484222325ULL;
    auto mix = [&h](std::uint64_t x) { h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
    auto bits = [](double d) {
        std::uint64_t u;
        static_assert(sizeof(u) == sizeof(d));
        std::memcpy(&u, &d, sizeof(d));
        return u;
    };
    for (const auto& e : spec.elements) {
        mix(e.resource);
        mix(bits(e.weight));
    }
    mix(bits(spec.penalty));
    mix(bits(spec.bound));
    mix(bits(spec.rate_factor));
    return h;
}

bool same_spec(const SharingSpec& a, const SharingSpec& b) {
    if (a.penalty != b.penalty || a.bound != b.bound || a.rate_factor != b.rate_factor ||
        a.elements.size() != b.elements.size())
        return false;
    for (std::size_t i = 0; i < a.elements.size(); ++i)
        if (a.elements[i].resource != b.elements[i].resource || a.elements[i].weight != b.elements[i].weight)
            return false;
    return true;
}

} // namespace

Engine::Engine(Config config) : config_(config) {
    if (!(config_.time_precision >= 0))
        throw std::invalid_argument("Engine::Config::time_precision must be >= 0");
}

ResourceId Engine::add_resource(double capacity, MaxMinSolver::Sharing sharing) {
    return solver_.add_resource(capacity, sharing);
}

SpecId Engine::intern(const SharingSpec& spec) {
    if (!(spec.penalty > 0) || !(spec.rate_factor > 0))
        throw std::invalid_argument("Engine: a sharing spec needs penalty > 0 and rate factor > 0");
    const std::uint64_t h = hash_spec(spec);
    auto range = spec_index_.equal_range(h);
    for (auto it = range.first; it != range.second; ++it)
        if (same_spec(specs_[it->second], spec))
            return it->second;
    const auto id = static_cast<SpecId>(specs_.size());
    specs_.push_back(spec);
    spec_class_.push_back(no_class);
    spec_index_.emplace(h, id);
    return id;
}

Engine::ClassId Engine::class_for(SpecId sid) {
    if (spec_class_[sid] != no_class)
        return spec_class_[sid];
    const SharingSpec& spec = specs_[sid];
    const ClassId id = classes_.acquire();
    FlowClass& c = classes_[id];
    c = FlowClass{};
    c.var = solver_.add_variable(spec.penalty, spec.bound, spec.elements);
    c.rate_factor = spec.rate_factor;
    c.last_update = now_;
    c.spec = sid;
    c.alive = true;
    if (var_to_class_.size() <= c.var)
        var_to_class_.resize(c.var + 1, no_class);
    var_to_class_[c.var] = id;
    spec_class_[sid] = id;
    return id;
}

void Engine::release_class_if_empty(ClassId id) {
    FlowClass& c = classes_[id];
    if (!c.alive || c.members > 0 || c.pending > 0)
        return;
    due_erase(id);
    solver_.remove_variable(c.var);
    var_to_class_[c.var] = no_class;
    spec_class_[c.spec] = no_class;
    c.alive = false;
    c.heap.clear();
    c.heap.shrink_to_fit();
    classes_.release(id);
}

ActivityId Engine::start(double amount, SpecId spec, double delay) {
    if (!(amount >= 0) || !std::isfinite(amount))
        throw std::invalid_argument("Engine::start: amount must be finite and >= 0");
    if (spec >= specs_.size())
        throw std::invalid_argument("Engine::start: unknown spec id");
    Activity a;
    a.amount = amount;
    a.cls = class_for(spec);
    const ActivityId id = activities_.acquire(a);
    if (delay > 0) {
        ++classes_[a.cls].pending;
        push_event(now_ + delay, EventKind::delay_done, id);
    } else {
        join(id);
    }
    return id;
}

void Engine::advance(FlowClass& c) {
    if (now_ != c.last_update) {
        if (c.rate > 0 && std::isfinite(c.rate))
            c.v += c.rate * (now_ - c.last_update);
        c.last_update = now_;
    }
}

void Engine::join(ActivityId id) {
    Activity& a = activities_[id];
    FlowClass& c = classes_[a.cls];
    advance(c);
    a.state = State::running;
    a.finish_v = c.v + a.amount;
    c.heap.push_back(Member{a.finish_v, seq_++, id});
    std::push_heap(c.heap.begin(), c.heap.end(), [](const Member& x, const Member& y) {
        return event_after(x.finish_v, x.seq, y.finish_v, y.seq);
    });
    ++c.members;
    solver_.set_count(c.var, c.members);
    if (!c.needs_reschedule) {
        c.needs_reschedule = true;
        to_reschedule_.push_back(a.cls);
    }
}

void Engine::cancel(ActivityId id) {
    Activity& a = activities_.at(id);
    if (a.state == State::done || a.state == State::cancelled)
        return;
    FlowClass& c = classes_[a.cls];
    if (a.state == State::delayed) {
        --c.pending; // the delay event will find the activity cancelled and ignore it
    } else {
        advance(c);
        --c.members;
        solver_.set_count(c.var, c.members);
        if (!c.needs_reschedule) {
            c.needs_reschedule = true;
            to_reschedule_.push_back(a.cls);
        }
    }
    a.state = State::cancelled;
    release_class_if_empty(a.cls);
}

void Engine::schedule_timer(double when, std::uint64_t token) {
    if (!(when >= now_))
        throw std::invalid_argument(
            fmt::format("Engine::schedule_timer: time {} s lies before the clock ({} s)", when,
                        now_)); // callers check their times: a bug
    push_event(when, EventKind::timer, token);
}

void Engine::push_event(double time, EventKind kind, std::uint64_t payload) {
    queue_.push_back(Event{time, seq_++, payload, kind});
    std::push_heap(queue_.begin(), queue_.end(),
                   [](const Event& a, const Event& b) { return event_after(a.time, a.seq, b.time, b.seq); });
}

// --- indexed heap of class completion dates ------------------------------------------------

void Engine::due_place(std::uint32_t pos, const Due& d) {
    due_heap_[pos] = d;
    classes_[d.cls].due_pos = pos;
}

void Engine::due_sift_up(std::uint32_t pos) {
    const Due d = due_heap_[pos];
    while (pos > 0) {
        const std::uint32_t parent = (pos - 1) / 2;
        if (!event_after(due_heap_[parent].time, due_heap_[parent].seq, d.time, d.seq))
            break;
        due_place(pos, due_heap_[parent]);
        pos = parent;
    }
    due_place(pos, d);
}

void Engine::due_sift_down(std::uint32_t pos) {
    const Due d = due_heap_[pos];
    const auto n = static_cast<std::uint32_t>(due_heap_.size());
    for (;;) {
        std::uint32_t child = 2 * pos + 1;
        if (child >= n)
            break;
        if (child + 1 < n && event_after(due_heap_[child].time, due_heap_[child].seq,
                                         due_heap_[child + 1].time, due_heap_[child + 1].seq))
            ++child;
        if (!event_after(d.time, d.seq, due_heap_[child].time, due_heap_[child].seq))
            break;
        due_place(pos, due_heap_[child]);
        pos = child;
    }
    due_place(pos, d);
}

void Engine::due_set(ClassId id, double time) {
    FlowClass& c = classes_[id];
    const Due d{time, seq_++, id};
    if (c.due_pos == no_pos) {
        due_heap_.push_back(d);
        c.due_pos = static_cast<std::uint32_t>(due_heap_.size() - 1);
        due_sift_up(c.due_pos);
    } else {
        const std::uint32_t pos = c.due_pos;
        const bool earlier = event_after(due_heap_[pos].time, due_heap_[pos].seq, d.time, d.seq);
        due_heap_[pos] = d;
        if (earlier)
            due_sift_up(pos);
        else
            due_sift_down(pos);
    }
}

void Engine::due_erase(ClassId id) {
    FlowClass& c = classes_[id];
    if (c.due_pos == no_pos)
        return;
    const std::uint32_t pos = c.due_pos;
    c.due_pos = no_pos;
    const Due last = due_heap_.back();
    due_heap_.pop_back();
    if (pos < due_heap_.size()) {
        due_place(pos, last);
        due_sift_up(pos);
        due_sift_down(classes_[last.cls].due_pos);
    }
}

// --- stepping ---------------------------------------------------------------------------------

void Engine::reschedule(ClassId id) {
    FlowClass& c = classes_[id];
    c.needs_reschedule = false;
    if (!c.alive)
        return;
    auto after = [](const Member& x, const Member& y) {
        return event_after(x.finish_v, x.seq, y.finish_v, y.seq);
    };
    while (!c.heap.empty() && activities_[c.heap.front().activity].state != State::running) {
        release(c.heap.front().activity); // a cancelled member leaves the heap only now
        std::pop_heap(c.heap.begin(), c.heap.end(), after);
        c.heap.pop_back();
    }
    if (c.heap.empty() || !(c.rate > 0)) {
        due_erase(id);
        return;
    }
    double when = now_;
    if (std::isfinite(c.rate))
        when = std::max(now_, c.last_update + (c.heap.front().finish_v - c.v) / c.rate);
    due_set(id, when);
}

void Engine::handle_class_due(ClassId id) {
    FlowClass& c = classes_[id];
    advance(c);
    auto after = [](const Member& x, const Member& y) {
        return event_after(x.finish_v, x.seq, y.finish_v, y.seq);
    };
    // Complete every member that is due within the time precision (SimGrid finishes all
    // actions whose date is within surf/precision of now in the same step).
    // The tolerance also covers the clock's own resolution: at t = 1e7 s one ulp is ~2e-9 s, and
    // a member due in less than that could never be reached (the clock would not move).
    const double horizon =
        std::max(config_.time_precision, 8 * std::numeric_limits<double>::epsilon() * now_);
    const double slack = std::isfinite(c.rate) ? c.rate * horizon : 0;
    while (!c.heap.empty()) {
        const Member top = c.heap.front();
        Activity& a = activities_[top.activity];
        if (a.state == State::running && std::isfinite(c.rate) && top.finish_v - c.v > slack)
            break;
        std::pop_heap(c.heap.begin(), c.heap.end(), after);
        c.heap.pop_back();
        if (a.state != State::running) {
            release(top.activity);
            continue;
        }
        a.state = State::done;
        --c.members;
        finished_.push_back(top.activity);
    }
    solver_.set_count(c.var, c.members);
    if (!c.needs_reschedule) {
        c.needs_reschedule = true;
        to_reschedule_.push_back(id);
    }
}

void Engine::resolve() {
    if (solver_.dirty()) {
        changed_.clear();
        solver_.solve(config_.mode, changed_);
        for (MaxMinSolver::VariableId var : changed_) {
            const ClassId id = var_to_class_[var];
            if (id == no_class)
                continue;
            FlowClass& c = classes_[id];
            advance(c);
            c.rate = solver_.value(var) * c.rate_factor;
            if (!c.needs_reschedule) {
                c.needs_reschedule = true;
                to_reschedule_.push_back(id);
            }
        }
    }
    for (ClassId id : to_reschedule_)
        reschedule(id);
    to_reschedule_.clear();
}

double Engine::run(double until) {
    resolve();
    for (;;) {
        const bool have_event = !queue_.empty();
        const bool have_due = !due_heap_.empty();
        if (!have_event && !have_due)
            break;
        double t;
        if (have_event && (!have_due || !event_after(queue_.front().time, queue_.front().seq,
                                                     due_heap_.front().time, due_heap_.front().seq)))
            t = queue_.front().time;
        else
            t = due_heap_.front().time;
        if (t > until) {
            now_ = until;
            break;
        }
        if (t > config_.max_time)
            throw InputError(
                "", 0, "max_sim_time",
                fmt::format("the next event lies at {:.4g} s, beyond the horizon of {:.4g} s ({:.3g} years) "
                            "after {} events: some time, size or rate in the inputs is absurd (raise the "
                            "horizon with the scenario option max_sim_time if such times are meant)",
                            t, config_.max_time, config_.max_time / 3.15576e7, events_));
        now_ = t;
        // Process everything that happens at exactly this time, then solve once.
        for (;;) {
            const bool ev = !queue_.empty() && queue_.front().time == t;
            const bool du = !due_heap_.empty() && due_heap_.front().time == t;
            if (!ev && !du)
                break;
            if (ev && (!du || !event_after(queue_.front().time, queue_.front().seq, due_heap_.front().time,
                                           due_heap_.front().seq))) {
                std::pop_heap(queue_.begin(), queue_.end(), [](const Event& a, const Event& b) {
                    return event_after(a.time, a.seq, b.time, b.seq);
                });
                const Event e = queue_.back();
                queue_.pop_back();
                ++events_;
                if (e.kind == EventKind::timer) {
                    if (listener_)
                        listener_->on_timer(e.payload, now_);
                } else {
                    const auto id = static_cast<ActivityId>(e.payload);
                    Activity& a = activities_[id];
                    if (a.state == State::delayed) {
                        --classes_[a.cls].pending;
                        join(id);
                    } else {
                        release(id); // cancelled during its delay
                    }
                }
            } else {
                const ClassId id = due_heap_.front().cls;
                due_erase(id);
                ++events_;
                handle_class_due(id);
                // Listener calls may start activities (and grow classes_), so report after.
                // Ids are recycled only after every report of this step: a listener may still
                // look at one of them.
                for (ActivityId done : finished_)
                    if (listener_)
                        listener_->on_activity_done(done, now_);
                for (ActivityId done : finished_)
                    release(done);
                finished_.clear();
                release_class_if_empty(id);
            }
        }
        resolve();
    }
    return now_;
}

double Engine::remaining(ActivityId id) const {
    const Activity& a = activities_.at(id);
    switch (a.state) {
    case State::delayed:
        return a.amount;
    case State::done:
    case State::cancelled:
        return 0;
    case State::running:
        break;
    }
    const FlowClass& c = classes_[a.cls];
    const double v = c.v + (std::isfinite(c.rate) ? c.rate * (now_ - c.last_update) : 0);
    return std::max(0.0, a.finish_v - v);
}

double Engine::resource_rate(ResourceId r) const {
    double total = 0;
    solver_.for_each_user(r, [&](MaxMinSolver::VariableId v, double weight) {
        const ClassId id = v < var_to_class_.size() ? var_to_class_[v] : no_class;
        if (id != no_class && solver_.active(v))
            total += static_cast<double>(classes_[id].members) * weight * classes_[id].rate;
    });
    return total;
}

double Engine::rate(ActivityId id) const {
    const Activity& a = activities_.at(id);
    return a.state == State::running ? classes_[a.cls].rate : 0.0;
}

bool Engine::running(ActivityId id) const {
    const State s = activities_.at(id).state;
    return s == State::running || s == State::delayed;
}

} // namespace hepkit::sim
