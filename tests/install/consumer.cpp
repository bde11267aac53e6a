// A program that uses hepkit as a user's project does: through the installed headers and
// find_package(hepkit) (tests/install/run.cmake builds and runs it). It includes no yaml-cpp and
// links only hepkit::sim, hepkit::fit and hepkit::io (whose codec and HDF5 libraries the package
// must find for the static library). Each check compares with a closed form.
//
// usage: consumer EXAMPLES_DIR WORK_DIR

#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Version.hpp"
#include "hepkit/fit/Kafe2Yaml.hpp"
#include "hepkit/io/Histogram.hpp"
#include "hepkit/io/RootFile.hpp"
#include "hepkit/io/RootWriter.hpp"
#include "hepkit/io/Tree.hpp"
#include "hepkit/sim/Simulation.hpp"
#include "hepkit/sim/platform/PlatformLoader.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace {

int failures = 0;

void expect_near(const char* what, double got, double want, double tolerance,
                 const char* reference = "closed form") {
    const bool ok = std::fabs(got - want) <= tolerance;
    std::printf("%-28s %.9g (%s %.9g +- %.3g)%s\n", what, got, reference, want, tolerance,
                ok ? "" : "  <-- WRONG");
    failures += ok ? 0 : 1;
}

// Max-min sharing of one host (SimGrid's Cas01 CPU model, docs/models.md): n one-core executions
// of w flop on a host of c cores of speed s each get min(s, c*s/n), so with n > c all end at
// t = w * n / (c * s).
void check_simulation(const std::string& examples) {
    using namespace hepkit::sim;
    Platform platform = load_platform(examples + "/transfers/platform.xml");
    const auto host = platform.find_host("t1-storage");
    if (!host) {
        std::printf("transfers/platform.xml has no host t1-storage\n");
        ++failures;
        return;
    }
    const double speed = platform.host(*host).speed;
    const int cores = platform.host(*host).cores;
    const int n = cores + cores / 4;
    const double work = 1e11;
    Simulation simulation(std::move(platform), Simulation::Config{});
    for (int i = 0; i < n; ++i)
        simulation.cpus().execute(*host, work);
    simulation.engine().run();
    std::printf("t1-storage: %d cores of %.6g flop/s, %d executions of %.6g flop\n", cores, speed, n, work);
    expect_near("simulation: end time / s", simulation.engine().now(), work * n / (cores * speed), 1e-9);
}

// The data of examples/fit/line.yml with its y errors only: a straight line fitted by weighted
// least squares has the closed form a = (n Sxy - Sx Sy) / D, b = (Sy - a Sx) / n,
// var(a) = sigma^2 n / D, var(b) = sigma^2 Sxx / D with D = n Sxx - Sx^2 (equal errors sigma).
void check_fit(const std::string& examples, const std::string& work) {
    using namespace hepkit;
    // read through hepkit's YAML view: the program needs no yaml-cpp of its own
    const config::YamlView doc = config::load_yaml_view(examples + "/fit/line.yml");
    std::vector<double> x, y;
    for (std::size_t i = 0; i < doc.at("x_data").size(); ++i) {
        x.push_back(doc.at("x_data").at(i).as_double());
        y.push_back(doc.at("y_data").at(i).as_double());
    }
    const double sigma = doc.at("y_errors").as_double();

    const std::string path = work + "/line-y-errors.yml";
    {
        std::ofstream out(path);
        out << "x_data: [";
        for (std::size_t i = 0; i < x.size(); ++i)
            out << (i ? ", " : "") << x[i];
        out << "]\ny_data: [";
        for (std::size_t i = 0; i < y.size(); ++i)
            out << (i ? ", " : "") << y[i];
        out << "]\ny_errors: " << sigma << "\nmodel_function: |\n"
            << "  def line(x, a=1.0, b=0.0):\n      return a * x + b\n";
    }
    fit::FitFile f = fit::read_kafe2go(path);
    const fit::FitResult r = f.fit->run();

    const double n = static_cast<double>(x.size());
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sx += x[i];
        sy += y[i];
        sxx += x[i] * x[i];
        sxy += x[i] * y[i];
    }
    const double d = n * sxx - sx * sx;
    const double a = (n * sxy - sx * sy) / d;
    const double b = (sy - a * sx) / n;
    double chi2 = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
        chi2 += std::pow((y[i] - a * x[i] - b) / sigma, 2);
    std::printf("fit of %s: converged %s, ndf %d\n", path.c_str(), r.converged ? "yes" : "no", r.ndf);
    failures += r.converged && r.ndf == static_cast<int>(x.size()) - 2 ? 0 : 1;
    expect_near("fit: a", r.values.at(0), a, 1e-6);
    expect_near("fit: b", r.values.at(1), b, 1e-6);
    expect_near("fit: error of a", r.errors.at(0), sigma * std::sqrt(n / d), 1e-6);
    expect_near("fit: error of b", r.errors.at(1), sigma * std::sqrt(sxx / d), 1e-6);
    expect_near("fit: chi2", r.chi2.value_or(NAN), chi2, 1e-6);

    // The example itself (x errors of 5% on top): the fit converges to a line close to the one
    // without x errors (within the latter's errors).
    fit::FitFile g = fit::read_kafe2go(examples + "/fit/line.yml");
    const fit::FitResult s = g.fit->run();
    std::printf("fit of line.yml: converged %s, a = %.6f, b = %.6f\n", s.converged ? "yes" : "no",
                s.values.at(0), s.values.at(1));
    failures += s.converged ? 0 : 1;
    expect_near("line.yml: a", s.values.at(0), a, sigma * std::sqrt(n / d), "y errors only:");
    expect_near("line.yml: b", s.values.at(1), b, sigma * std::sqrt(sxx / d), "y errors only:");
}

// hepkit::io: a ROOT file written with RootWriter (a TH1D with one fill at each bin centre, a
// tree of x = 0..n-1), LZMA-compressed so that liblzma is linked, then read back.
void check_root_file(const std::string& work) {
    namespace io = hepkit::io;
    const std::string path = work + "/consumer.root";
    const int nbins = 10, n = 1000;
    {
        io::WriterOptions options;
        options.compression = {io::Codec::Lzma, 1};
        io::RootWriter out(path, options);
        io::Hist1D h("h", "one per bin", io::HistAxis::fixed(nbins, 0, nbins));
        for (int b = 0; b < nbins; ++b)
            h.fill(b + 0.5);
        out.write(h);
        auto x = io::Column::make("x", io::ColumnType::Float64);
        for (int i = 0; i < n; ++i)
            x.mut<double>().push_back(i);
        const std::vector<io::Column> columns{x};
        out.write_tree("t", columns);
        out.close();
    }
    const io::RootFile file(path);
    const io::Histogram h = io::read_histogram(file, "h");
    double sum = 0;
    for (int b = 1; b <= nbins; ++b)
        sum += h.value(h.bin(b));
    std::printf("%s: %zu keys\n", path.c_str(), file.keys().size());
    expect_near("root: histogram entries", h.stats.entries, nbins, 0);
    expect_near("root: histogram sum", sum, nbins, 0);
    const io::Tree tree(file, "t");
    const io::Column c = tree.read("x", 0, tree.entries());
    double xsum = 0;
    for (double v : c.as<double>())
        xsum += v;
    expect_near("root: tree entries", static_cast<double>(tree.entries()), n, 0);
    expect_near("root: sum of x", xsum, n * (n - 1) / 2.0, 0);
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: consumer EXAMPLES_DIR WORK_DIR\n");
        return 2;
    }
    std::printf("hepkit %s, found by find_package\n", hepkit::version_string);
    try {
        check_simulation(argv[1]);
        check_fit(argv[1], argv[2]);
        check_root_file(argv[2]);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "consumer: %s\n", e.what());
        return 1;
    }
    std::printf("%s\n", failures ? "FAILED" : "all checks passed");
    return failures ? 1 : 0;
}
