// Network (LV08), disk and CPU models: completion times worked by hand.
#include "hepkit/sim/Simulation.hpp"
#include "hepkit/sim/platform/PlatformLoader.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <unistd.h>

using namespace hepkit::sim;
namespace fs = std::filesystem;

namespace {
struct Recorder : Engine::Listener {
    std::map<ActivityId, double> done;
    void on_activity_done(ActivityId id, double now) override { done[id] = now; }
    void on_timer(std::uint64_t, double) override {}
};

Platform two_hosts(const std::string& link_attrs, const std::string& extra = "") {
    const fs::path p = fs::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-models-test.xml");
    std::ofstream(p) << "<?xml version='1.0'?>\n<platform version=\"4.1\">" << extra
                     << "<zone id=\"z\" routing=\"Full\">"
                        "<host id=\"a\" speed=\"1Gf\" core=\"4\"><disk id=\"d\" read_bw=\"100MBps\" "
                        "write_bw=\"50MBps\"/></host><host id=\"b\" speed=\"1Gf\"/>"
                        "<link id=\"l\" "
                     << link_attrs
                     << "/><route src=\"a\" dst=\"b\"><link_ctn id=\"l\"/></route></zone></platform>";
    return load_simgrid_xml(p.string());
}
} // namespace

TEST(NetworkModel, SingleFlowPaysScaledLatencyThenFactorTimesBandwidth) {
    // 100 MB over 100 MBps, 1 ms. The route a->b and its reverse share link l, so the flow uses
    // it with weight 1 + 0.05 (its acknowledgements): 13.01 * 1 ms + 1e8 * 1.05 / (0.97 * 1e8) s.
    Simulation sim(two_hosts(R"(bandwidth="100MBps" latency="1ms")"), {});
    Recorder rec;
    sim.engine().set_listener(&rec);
    const auto t = sim.network().transfer(0, 1, 1e8);
    sim.engine().run();
    EXPECT_DOUBLE_EQ(rec.done.at(t), 13.01e-3 + 1.05 / 0.97);
}

TEST(NetworkModel, TcpWindowBoundsLongFatPipes) {
    // 10 GBps, 100 ms: window bound gamma / (2 L) = 4194304 / 0.2 = 20971520 B/s < bandwidth
    // (the bound applies to the solver value; the rate is 0.97 times it).
    Simulation sim(two_hosts(R"(bandwidth="10GBps" latency="100ms")"), {});
    Recorder rec;
    sim.engine().set_listener(&rec);
    const auto t = sim.network().transfer(0, 1, 1e9);
    sim.engine().run();
    EXPECT_DOUBLE_EQ(rec.done.at(t), 1.301 + 1e9 / (0.97 * 4194304 / 0.2));
}

TEST(NetworkModel, CrossTrafficSlowsOppositeFlows) {
    // Two opposite flows on one shared link (no latency, penalty 1 each): each uses the link
    // with weight 1 + 0.05 (its own and the other's acknowledgements): x = C / 2.1.
    Simulation sim(two_hosts(R"(bandwidth="100MBps" latency="0ms")"), {});
    Recorder rec;
    sim.engine().set_listener(&rec);
    const auto ab = sim.network().transfer(0, 1, 1e8);
    const auto ba = sim.network().transfer(1, 0, 1e8);
    sim.engine().run();
    const double rate = 0.97 * 1e8 / 2.1;
    EXPECT_DOUBLE_EQ(rec.done.at(ab), 1e8 / rate);
    EXPECT_DOUBLE_EQ(rec.done.at(ba), 1e8 / rate);
}

TEST(NetworkModel, PlatformConfigOverridesModel) {
    Simulation sim(two_hosts(R"(bandwidth="100MBps" latency="1ms")",
                             R"(<config><prop id="network/latency-factor" value="1"/>)"
                             R"(<prop id="network/bandwidth-factor" value="1"/></config>)"),
                   {});
    Recorder rec;
    sim.engine().set_listener(&rec);
    const auto t = sim.network().transfer(0, 1, 1e8);
    sim.engine().run();
    EXPECT_DOUBLE_EQ(rec.done.at(t), 1e-3 + 1.05); // factors 1; cross-traffic still on
}

TEST(DiskModel, ReadsShareReadBandwidth) {
    // Two reads of 100 MB on a 100 MBps disk: 2 s each; a write alone: 100 MB / 50 MBps = 2 s.
    Simulation sim(two_hosts(R"(bandwidth="1GBps")"), {});
    Recorder rec;
    sim.engine().set_listener(&rec);
    const auto r1 = sim.disks().io(0, 0, 1e8, DiskModel::Op::read);
    const auto r2 = sim.disks().io(0, 0, 1e8, DiskModel::Op::read);
    sim.engine().run();
    EXPECT_DOUBLE_EQ(rec.done.at(r1), 2.0);
    EXPECT_DOUBLE_EQ(rec.done.at(r2), 2.0);
    const auto w = sim.disks().io(0, 0, 1e8, DiskModel::Op::write);
    sim.engine().run();
    EXPECT_DOUBLE_EQ(rec.done.at(w), 4.0);
}

TEST(CpuModel, ExecutionsAreBoundedByTheirCores) {
    // Host a: 4 cores at 1 Gf. Two 1-core executions run at 1 Gf each (bound), not 2 Gf.
    // Then six 1-core executions share 4 Gf: 4/6 Gf each.
    Simulation sim(two_hosts(R"(bandwidth="1GBps")"), {});
    Recorder rec;
    sim.engine().set_listener(&rec);
    const auto e1 = sim.cpus().execute(0, 1e9);
    sim.cpus().execute(0, 1e9);
    sim.engine().run();
    EXPECT_DOUBLE_EQ(rec.done.at(e1), 1.0);
    std::vector<ActivityId> six;
    for (int i = 0; i < 6; ++i)
        six.push_back(sim.cpus().execute(0, 1e9));
    sim.engine().run();
    EXPECT_DOUBLE_EQ(rec.done.at(six[5]), 1.0 + 1.5);
    // a 2-core execution alone: 2 Gf
    const auto two = sim.cpus().execute(0, 4e9, 2);
    sim.engine().run();
    EXPECT_DOUBLE_EQ(rec.done.at(two), 2.5 + 2.0);
}
