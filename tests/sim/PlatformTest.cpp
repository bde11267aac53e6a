// Platform loading (SimGrid XML and native YAML), routing, and the errors for bad platforms.
#include "hepkit/core/Error.hpp"
#include "hepkit/sim/platform/PlatformLoader.hpp"

#include "Reference.hpp"
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

using namespace hepkit;
using namespace hepkit::sim;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> link_names(const Platform& p, const Route& r) {
    std::vector<std::string> out;
    for (auto l : r.links)
        out.push_back(p.link(l).id);
    return out;
}

fs::path write_temp(const std::string& name, const std::string& text) {
    const fs::path p =
        fs::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-platformtest-" + name);
    std::ofstream(p) << text;
    return p;
}

void expect_error(const std::string& name, const std::string& text, int line, const std::string& fragment) {
    const auto p = write_temp(name, text);
    try {
        load_platform(p.string());
        FAIL() << "no error for " << name;
    } catch (const InputError& e) {
        EXPECT_EQ(e.line(), line) << e.what();
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
}

const std::string head = "<?xml version='1.0'?>\n<platform version=\"4.1\">\n";
} // namespace

TEST(Platform, ReadsEveryDcsimPlatformFile) {
    int files = 0;
    for (const auto& dir : {test::reference("dcsim-data/platform-files"), test::reference("bench")}) {
        if (!fs::exists(dir))
            GTEST_SKIP() << "reference data missing: " << dir.string()
                         << " (set HEPKIT_REFERENCE_DIR to the reference folder to run this test)";
        for (const auto& entry : fs::directory_iterator(dir)) {
            if (entry.path().extension() != ".xml")
                continue;
            ++files;
            if (entry.path().filename().string().find("template") != std::string::npos) {
                // DCSim's template has placeholders such as speed="{cpu-speed}": SimGrid cannot
                // read it either; we must fail with a message that names the placeholder.
                try {
                    load_simgrid_xml(entry.path().string());
                    ADD_FAILURE() << "template accepted";
                } catch (const InputError& e) {
                    EXPECT_NE(std::string(e.what()).find("{cpu-speed}"), std::string::npos) << e.what();
                }
                continue;
            }
            Platform p = load_simgrid_xml(entry.path().string());
            EXPECT_GT(p.host_count(), 0u) << entry.path();
            // every host can reach the first host and back
            for (HostIndex h = 0; h < p.host_count(); h += std::max<std::size_t>(1, p.host_count() / 7)) {
                EXPECT_NO_THROW(p.route(h, 0)) << entry.path() << " " << p.host(h).id;
                EXPECT_NO_THROW(p.route(0, h)) << entry.path() << " " << p.host(h).id;
            }
        }
    }
    EXPECT_GE(files, 22);
}

TEST(Platform, SgbatchRoutesThroughZoneGateways) {
    HEPKIT_REQUIRE_REFERENCE("dcsim-data/platform-files/sgbatch.xml");
    Platform p = load_simgrid_xml(test::reference("dcsim-data/platform-files/sgbatch.xml").string());
    const auto sg01 = *p.find_host("sg01");
    const auto sg03 = *p.find_host("sg03");
    const auto remote = *p.find_host("RemoteStorage");
    EXPECT_EQ(link_names(p, p.route(sg01, remote)), (std::vector<std::string>{"etp_link1", "etp_to_remote"}));
    EXPECT_EQ(link_names(p, p.route(remote, sg01)), (std::vector<std::string>{"etp_to_remote", "etp_link1"}));
    EXPECT_EQ(link_names(p, p.route(sg01, sg03)), (std::vector<std::string>{"etp_link1", "etp_link3"}));
    EXPECT_EQ(link_names(p, p.route(sg01, sg01)), (std::vector<std::string>{"__loopback__"}));
    EXPECT_DOUBLE_EQ(p.config().loopback_bandwidth, 1e12);
    const HostSpec& h = p.host(sg01);
    EXPECT_DOUBLE_EQ(h.speed, 1117e6);
    EXPECT_EQ(h.cores, 24);
    EXPECT_EQ(h.props.at("type"), "worker,cache");
    ASSERT_EQ(h.disks.size(), 1u);
    EXPECT_DOUBLE_EQ(h.disks[0].read_bw, 9.6e9 / 8);
    EXPECT_DOUBLE_EQ(h.disks[0].size, 2.5e12);
    EXPECT_EQ(h.disks[0].mount, "/");
}

TEST(Platform, ClusterHostsUseSplitDuplexLinksAndRouter) {
    HEPKIT_REQUIRE_REFERENCE("dcsim-data/platform-files/WLCG_disklessTier2.xml");
    Platform p =
        load_simgrid_xml(test::reference("dcsim-data/platform-files/WLCG_disklessTier2.xml").string());
    const auto t0 = *p.find_host("Tier10");
    const auto t7 = *p.find_host("Tier17");
    const auto dcache = *p.find_host("GridKA_dCache");
    EXPECT_EQ(p.host(t0).cores, 424);
    EXPECT_EQ(link_names(p, p.route(t0, t7)),
              (std::vector<std::string>{"Tier1_link_0_UP", "Tier1_link_7_DOWN"}));
    // dCache (GridKA-service zone) to a cluster node: through GridKAgateway and the cluster router
    EXPECT_EQ(link_names(p, p.route(dcache, t7)),
              (std::vector<std::string>{"GridKA_dcachepool", "GridKA_dcachepool_FATPIPE",
                                        "GridKA_Tier1_FATPIPE", "GridKA_Tier1", "Tier1_link_7_DOWN"}));
    EXPECT_EQ(p.link(*p.find_link("GridKA_Tier1_FATPIPE")).sharing, LinkSharing::fatpipe);
}

// The same routing rules on platforms written for hepkit (these run in every clone): a Floyd zone
// whose hosts reach another zone through a gateway router (zoneRoute with gw_src/gw_dst), and a
// cluster whose nodes have split-duplex private links joined by the cluster's router
// `<prefix><id>_router`. Expected routes follow SimGrid's rules: host -> own gateway inside the
// zone, then the zoneRoute's links; the way back is the same links reversed.
TEST(Platform, ZoneRouteGoesThroughGatewayRouters) {
    const auto path = write_temp("zonegw.xml", head + R"(<zone id="world" routing="Full">
  <zone id="Site" routing="Floyd">
    <host id="w1" speed="2Gf" core="8"/><host id="w2" speed="2Gf" core="4"/>
    <router id="gw"/>
    <link id="up1" bandwidth="5Gbps"/><link id="up2" bandwidth="5Gbps"/>
    <route src="gw" dst="w1"><link_ctn id="up1"/></route>
    <route src="gw" dst="w2"><link_ctn id="up2"/></route>
  </zone>
  <zone id="Far" routing="Full">
    <host id="store" speed="100Gf"/>
    <link id="wan" bandwidth="10Gbps" latency="5ms"/>
  </zone>
  <zoneRoute src="Site" dst="Far" gw_src="gw" gw_dst="store"><link_ctn id="wan"/></zoneRoute>
</zone></platform>)");
    Platform p = load_simgrid_xml(path.string());
    const auto w1 = *p.find_host("w1"), w2 = *p.find_host("w2"), store = *p.find_host("store");
    EXPECT_EQ(link_names(p, p.route(w1, store)), (std::vector<std::string>{"up1", "wan"}));
    EXPECT_EQ(link_names(p, p.route(store, w2)), (std::vector<std::string>{"wan", "up2"}));
    EXPECT_EQ(link_names(p, p.route(w1, w2)), (std::vector<std::string>{"up1", "up2"}));
    EXPECT_DOUBLE_EQ(p.route(w1, store).latency, 5e-3);
    EXPECT_EQ(link_names(p, p.route(w1, w1)), (std::vector<std::string>{"__loopback__"}));
    fs::remove(path);
}

// Three levels of zones: a route from a host of SiteA (inside Region) to the host of Far goes up
// through SiteA's gateway, Region's zone route to SiteB's exit router, then the world's zone route
// — each side's part computed from its zone route's gateway and put in order (Platform.cpp's
// global_route builds the zone route first and moves the source side in front of it).
TEST(Platform, RouteThroughThreeLevelsOfZones) {
    const auto path = write_temp("zone3.xml", head + R"(<zone id="world" routing="Full">
  <zone id="Region" routing="Full">
    <zone id="SiteA" routing="Full">
      <host id="a" speed="1Gf"/><router id="ga"/>
      <link id="la" bandwidth="1Gbps"/>
      <route src="ga" dst="a"><link_ctn id="la"/></route>
    </zone>
    <zone id="SiteB" routing="Full">
      <host id="b" speed="1Gf"/><router id="gb"/>
      <link id="lb" bandwidth="1Gbps"/>
      <route src="gb" dst="b"><link_ctn id="lb"/></route>
    </zone>
    <link id="lab" bandwidth="2Gbps"/>
    <zoneRoute src="SiteA" dst="SiteB" gw_src="ga" gw_dst="gb"><link_ctn id="lab"/></zoneRoute>
  </zone>
  <zone id="Far" routing="Full">
    <host id="s" speed="1Gf"/>
  </zone>
  <link id="wan" bandwidth="10Gbps" latency="5ms"/>
  <zoneRoute src="Region" dst="Far" gw_src="gb" gw_dst="s"><link_ctn id="wan"/></zoneRoute>
</zone></platform>)");
    Platform p = load_simgrid_xml(path.string());
    const auto a = *p.find_host("a"), b = *p.find_host("b"), s = *p.find_host("s");
    EXPECT_EQ(link_names(p, p.route(a, s)), (std::vector<std::string>{"la", "lab", "wan"}));
    EXPECT_EQ(link_names(p, p.route(s, a)), (std::vector<std::string>{"wan", "lab", "la"}));
    EXPECT_EQ(link_names(p, p.route(b, s)), (std::vector<std::string>{"lb", "wan"}));
    EXPECT_EQ(link_names(p, p.route(a, b)), (std::vector<std::string>{"la", "lab", "lb"}));
    EXPECT_DOUBLE_EQ(p.route(a, s).latency, 5e-3);
    fs::remove(path);
}

TEST(Platform, ClusterNodesUseSplitDuplexLinksAndTheClusterRouter) {
    const auto path = write_temp("cluster.xml", head + R"(<zone id="world" routing="Floyd">
  <cluster id="C" prefix="node" radical="0-3" suffix="" speed="3Gf" core="16" bw="25Gbps" lat="0us"/>
  <zone id="Svc" routing="Floyd">
    <host id="dcache" speed="100Gf"/>
    <router id="svcgw"/>
    <link id="pool" bandwidth="40Gbps"/>
    <link id="to_c" bandwidth="100Gbps" sharing_policy="FATPIPE"/>
    <route src="svcgw" dst="dcache"><link_ctn id="pool"/></route>
  </zone>
  <zoneRoute src="Svc" dst="C" gw_src="svcgw" gw_dst="nodeC_router"><link_ctn id="to_c"/></zoneRoute>
</zone></platform>)");
    Platform p = load_simgrid_xml(path.string());
    const auto n0 = *p.find_host("node0"), n3 = *p.find_host("node3"), dcache = *p.find_host("dcache");
    EXPECT_EQ(p.host(n0).cores, 16);
    EXPECT_EQ(link_names(p, p.route(n0, n3)), (std::vector<std::string>{"C_link_0_UP", "C_link_3_DOWN"}));
    EXPECT_EQ(link_names(p, p.route(dcache, n3)),
              (std::vector<std::string>{"pool", "to_c", "C_link_3_DOWN"}));
    EXPECT_EQ(link_names(p, p.route(n3, dcache)), (std::vector<std::string>{"C_link_3_UP", "to_c", "pool"}));
    EXPECT_EQ(p.link(*p.find_link("to_c")).sharing, LinkSharing::fatpipe);
    fs::remove(path);
}

TEST(Platform, FloydPicksFewestLinks) {
    const auto path = write_temp("floyd.xml", head + R"(<zone id="z" routing="Floyd">
  <host id="a" speed="1Gf"/><host id="b" speed="1Gf"/><router id="r1"/><router id="r2"/>
  <link id="l1" bandwidth="1Gbps"/><link id="l2" bandwidth="1Gbps"/><link id="l3" bandwidth="1Gbps"/>
  <link id="direct" bandwidth="1Mbps" latency="1ms"/>
  <route src="a" dst="r1"><link_ctn id="l1"/></route>
  <route src="r1" dst="r2"><link_ctn id="l2"/></route>
  <route src="r2" dst="b"><link_ctn id="l3"/></route>
  <route src="a" dst="b"><link_ctn id="direct"/></route>
</zone></platform>)");
    Platform p = load_simgrid_xml(path.string());
    const Route r = p.route(*p.find_host("a"), *p.find_host("b"));
    EXPECT_EQ(link_names(p, r), (std::vector<std::string>{"direct"}));
    EXPECT_DOUBLE_EQ(r.latency, 1e-3);
    EXPECT_EQ(link_names(p, p.route(*p.find_host("b"), *p.find_host("a"))),
              (std::vector<std::string>{"direct"}));
}

TEST(Platform, NativeYamlPlatform) {
    const auto path = write_temp("native.yaml", R"(id: site
routing: Full
config: {loopback_bandwidth: 100GBps}
links:
  - {id: up, bandwidth: 10Gbps, latency: 1ms}
  - {id: sd, bandwidth: 1Gbps, sharing: splitduplex}
hosts:
  - {id: a, speed: 2Gf, cores: 4, disks: [{id: d, read_bw: 1GBps, write_bw: 500MBps, size: 1TB}]}
  - {id: b, speed: 1Gf}
routes:
  - {src: a, dst: b, links: [up, "sd:UP"]}
)");
    Platform p = load_platform(path.string());
    const auto a = *p.find_host("a");
    const auto b = *p.find_host("b");
    EXPECT_EQ(link_names(p, p.route(a, b)), (std::vector<std::string>{"up", "sd_UP"}));
    EXPECT_EQ(link_names(p, p.route(b, a)), (std::vector<std::string>{"sd_DOWN", "up"}));
    EXPECT_DOUBLE_EQ(p.host(a).disks[0].write_bw, 500e6);
    EXPECT_DOUBLE_EQ(p.config().loopback_bandwidth, 100e9);
}

TEST(Platform, BadInputNamesElementAndLine) {
    expect_error("syntax.xml",
                 head + "<zone id=\"z\" routing=\"Full\">\n<host id=\"a\" speed=\"1Gf\">\n</zone>", 5,
                 "XML syntax error");
    expect_error("unit.xml",
                 head +
                     "<zone id=\"z\" routing=\"Full\">\n<host id=\"a\" speed=\"1Gbps\"/>\n</zone></platform>",
                 4, "unknown speed unit");
    expect_error(
        "zero.xml",
        head + "<zone id=\"z\" routing=\"Full\">\n<link id=\"l\" bandwidth=\"0Gbps\"/>\n</zone></platform>",
        4, "bandwidth must be > 0");
    expect_error(
        "unknownlink.xml",
        head +
            "<zone id=\"z\" routing=\"Full\">\n<host id=\"a\" speed=\"1Gf\"/><host id=\"b\" speed=\"1Gf\"/>\n"
            "<route src=\"a\" dst=\"b\">\n<link_ctn id=\"nope\"/></route>\n</zone></platform>",
        6, "link 'nope' is not declared");
    expect_error("unknownhost.xml",
                 head + "<zone id=\"z\" routing=\"Full\">\n<host id=\"a\" speed=\"1Gf\"/>\n"
                        "<route src=\"a\" dst=\"ghost\"></route>\n</zone></platform>",
                 5, "dst=\"ghost\"");
    expect_error("element.xml",
                 head + "<zone id=\"z\" routing=\"Full\">\n<trace id=\"t\"/>\n</zone></platform>", 4,
                 "<trace> is not supported");
    expect_error("routing.xml", head + "<zone id=\"z\" routing=\"Dijkstra\">\n</zone></platform>", 3,
                 "routing=\"Dijkstra\" is not supported");
    expect_error("dup.xml",
                 head + "<zone id=\"z\" routing=\"Full\">\n<host id=\"a\" speed=\"1Gf\"/>\n<host id=\"a\" "
                        "speed=\"1Gf\"/>\n"
                        "</zone></platform>",
                 5, "already used");
    expect_error("cores.xml",
                 head + "<zone id=\"z\" routing=\"Full\">\n<host id=\"a\" speed=\"1Gf\" "
                        "core=\"1e99\"/>\n</zone></platform>",
                 4, "core=\"1e99\"");
    expect_error("config.xml",
                 head + "<config>\n<prop id=\"network/model\" value=\"CM02\"/>\n</config>\n</platform>", 3,
                 "not supported");
    expect_error("bad.yaml", "links:\n  - {id: l, bandwidth: -3Gbps}\n", 2, "bandwidth");
    expect_error("key.yaml", "hosts:\n  - {id: a, speed: 1Gf, cpus: 4}\n", 2, "unknown key");
}

TEST(Platform, MissingRouteIsReported) {
    const auto path = write_temp("noroute.xml", head + R"(<zone id="z" routing="Full">
<host id="a" speed="1Gf"/><host id="b" speed="1Gf"/>
</zone></platform>)");
    Platform p = load_simgrid_xml(path.string());
    try {
        p.route(*p.find_host("a"), *p.find_host("b"));
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("no route from 'a' to 'b'"), std::string::npos);
    }
}

TEST(Platform, RegressionRouteKeysStableWhileZoneGrows) {
    // Bug: route-table keys were computed from the zone's current size, so a route declared
    // before more hosts were added collided with a later one ("route already exists").
    const auto path = write_temp("interleaved.yaml", R"(routing: Floyd
links: [{id: l0, bandwidth: 1Gbps}, {id: l1, bandwidth: 1Gbps}, {id: l2, bandwidth: 1Gbps}]
hosts: [{id: h0, speed: 1Gf}]
routers: [r]
)");
    Platform p = load_platform(path.string()); // sealed: build a fresh one by hand instead
    Platform q;
    const ZoneIndex z = q.add_zone("z", Routing::floyd, Platform::none);
    q.add_router(z, "r");
    for (int i = 0; i < 3; ++i) {
        HostSpec h;
        h.id = "h" + std::to_string(i);
        h.speed = 1e9;
        q.add_host(z, std::move(h));
        q.add_link(LinkSpec{"l" + std::to_string(i), 1e9, 0, LinkSharing::shared});
        ASSERT_NO_THROW(q.add_route(z, *q.find_point("h" + std::to_string(i)), *q.find_point("r"),
                                    std::nullopt, std::nullopt, {LinkRef{"l" + std::to_string(i)}}, true));
    }
    q.seal();
    EXPECT_EQ(link_names(q, q.route(*q.find_host("h0"), *q.find_host("h2"))),
              (std::vector<std::string>{"l0", "l2"}));
    EXPECT_EQ(p.host_count(), 1u);
}
