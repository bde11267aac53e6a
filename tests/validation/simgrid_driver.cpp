// Reference runner: executes an activities CSV (id,type,source,destination,amount,start[,after])
// on a SimGrid platform with SimGrid's own S4U API, and writes id,start,end like `hepkit sim`.
// Used only by the validation tests to compare hepkit against the real SimGrid.
//
// usage: hepkit-simgrid-driver PLATFORM.xml ACTIVITIES.csv OUT.csv [--cfg=...]

#include <simgrid/s4u.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace sg4 = simgrid::s4u;

namespace {

struct Row {
    std::string id, type, source, destination;
    double amount = 0, start = 0;
    int after = -1;
    double t_start = -1, t_end = -1;
    std::vector<int> dependents;
};
std::vector<Row> rows;

std::vector<std::string> split(const std::string& line) {
    std::vector<std::string> out;
    std::stringstream ss(line);
    std::string f;
    while (std::getline(ss, f, ','))
        out.push_back(f);
    if (!line.empty() && line.back() == ',')
        out.emplace_back();
    return out;
}

void run_row(int i);

void spawn(int i) {
    Row& r = rows[static_cast<std::size_t>(i)];
    sg4::Host* host = sg4::Host::by_name(r.source);
    sg4::Actor::create("act-" + r.id, host, [i]() { run_row(i); });
}

void run_row(int i) {
    Row& r = rows[static_cast<std::size_t>(i)];
    if (sg4::Engine::get_clock() < r.start)
        sg4::this_actor::sleep_until(r.start);
    r.t_start = sg4::Engine::get_clock();
    if (r.type == "transfer") {
        sg4::Comm::sendto(sg4::Host::by_name(r.source), sg4::Host::by_name(r.destination),
                          static_cast<uint64_t>(r.amount));
    } else if (r.type == "compute") {
        sg4::this_actor::execute(r.amount);
    } else {
        sg4::Host* host = sg4::Host::by_name(r.source);
        sg4::Disk* disk = host->get_disks().front();
        for (sg4::Disk* d : host->get_disks())
            if (d->get_name() == r.destination)
                disk = d;
        if (r.type == "read")
            disk->read(static_cast<sg_size_t>(r.amount));
        else
            disk->write(static_cast<sg_size_t>(r.amount));
    }
    r.t_end = sg4::Engine::get_clock();
    for (int d : r.dependents)
        spawn(d);
}

} // namespace

int main(int argc, char** argv) {
    sg4::Engine engine(&argc, argv);
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s PLATFORM.xml ACTIVITIES.csv OUT.csv\n", argv[0]);
        return 2;
    }
    engine.load_platform(argv[1]);
    std::ifstream in(argv[2]);
    std::string line;
    std::getline(in, line);
    const auto header = split(line);
    std::map<std::string, int> col;
    for (std::size_t i = 0; i < header.size(); ++i)
        col[header[i]] = static_cast<int>(i);
    std::map<std::string, int> by_id;
    std::vector<std::string> afters;
    while (std::getline(in, line)) {
        if (line.empty())
            continue;
        const auto f = split(line);
        Row r;
        r.id = f[col["id"]];
        r.type = f[col["type"]];
        r.source = f[col["source"]];
        r.destination = f[col["destination"]];
        r.amount = std::stod(f[col["amount"]]);
        r.start = std::stod(f[col["start"]]);
        afters.push_back(col.count("after") ? f[col["after"]] : "");
        by_id[r.id] = static_cast<int>(rows.size());
        rows.push_back(r);
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (afters[i].empty())
            continue;
        rows[i].after = by_id.at(afters[i]);
        rows[static_cast<std::size_t>(rows[i].after)].dependents.push_back(static_cast<int>(i));
    }
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (rows[i].after < 0)
            spawn(static_cast<int>(i));
    engine.run();
    std::FILE* out = std::fopen(argv[3], "w");
    std::fprintf(out, "id,start,end\n");
    for (const Row& r : rows)
        std::fprintf(out, "%s,%.17g,%.17g\n", r.id.c_str(), r.t_start, r.t_end);
    std::fclose(out);
    return 0;
}
