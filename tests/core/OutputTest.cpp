// Atomic outputs and CSV reading.
#include "Helpers.hpp"
#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/Csv.hpp"
#include "hepkit/core/Error.hpp"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

using namespace hepkit;
namespace fs = std::filesystem;

namespace {
std::size_t files_in(const fs::path& dir) {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}
} // namespace

TEST(AtomicFile, NothingAppearsUntilCommit) {
    const fs::path dir = fs::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-atomic-test");
    fs::remove_all(dir);
    fs::create_directories(dir);
    const fs::path out = dir / "trace.csv";
    {
        CsvWriter w(out, "id,start,end");
        w.line("a,0,1");
        EXPECT_FALSE(fs::exists(out));
        w.commit();
    }
    EXPECT_EQ(hepkit::test::slurp(out), "id,start,end\na,0,1\n");
    EXPECT_EQ(files_in(dir), 1u);
}

TEST(AtomicFile, AbandonedWriteLeavesOldFileAndNoTemporary) {
    const fs::path dir = fs::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-atomic-test2");
    fs::remove_all(dir);
    fs::create_directories(dir);
    const fs::path out = dir / "trace.csv";
    std::ofstream(out) << "old\n";
    try {
        CsvWriter w(out, "id");
        w.line("half");
        throw std::runtime_error("simulated failure");
    } catch (const std::runtime_error&) {
    }
    EXPECT_EQ(hepkit::test::slurp(out), "old\n");
    EXPECT_EQ(files_in(dir), 1u);
}

TEST(AtomicFile, UnwritableDirectoryIsInputError) {
    EXPECT_THROW(CsvWriter("/nonexistent-dir/x.csv", "id"), InputError);
}

// Issue 12 §4: a run killed by SIGTERM/SIGINT/SIGHUP left OUT.tmp.<pid> behind. A child process
// opens two outputs (one committed, one not) and is killed by each signal: it must die of that
// signal (the handler re-raises it), the committed file must stay, and no temporary may remain.
TEST(AtomicFile, TerminationSignalRemovesTemporaries) {
    for (int sig : {SIGTERM, SIGINT, SIGHUP}) {
        const fs::path dir = fs::temp_directory_path() /
                             (std::to_string(::getpid()) + "-hepkit-signal-" + std::to_string(sig));
        fs::remove_all(dir);
        fs::create_directories(dir);
        int ready[2];
        ASSERT_EQ(::pipe(ready), 0);
        const pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            AtomicFile done(dir / "done.csv");
            done.stream() << "kept\n";
            done.commit();
            AtomicFile open(dir / "open.csv");
            open.stream() << "half" << std::flush;
            (void)!::write(ready[1], "x", 1);
            for (;;)
                ::pause();
        }
        char c = 0;
        ASSERT_EQ(::read(ready[0], &c, 1), 1);
        ::close(ready[0]);
        ::close(ready[1]);
        ASSERT_TRUE(fs::exists(dir / ("open.csv.tmp." + std::to_string(child)))); // the child's temporary
        ::kill(child, sig);
        int status = 0;
        ASSERT_EQ(::waitpid(child, &status, 0), child);
        EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == sig)
            << "signal " << sig << ", status " << status;
        EXPECT_EQ(hepkit::test::slurp(dir / "done.csv"), "kept\n");
        EXPECT_FALSE(fs::exists(dir / "open.csv"));
        EXPECT_EQ(files_in(dir), 1u) << "signal " << sig << ": a temporary file was left";
        fs::remove_all(dir);
    }
}

TEST(JsonFile, WritesTheDumpAndANewlineAndReplacesTheOldFile) {
    // indent 1 is what the fit reports use; -1 one line; the old content is replaced whole
    const fs::path dir = fs::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-json-test");
    fs::remove_all(dir);
    fs::create_directories(dir);
    const fs::path out = dir / "report.json";
    write_file_atomically(out, "old content that is longer than the new one\n");
    const nlohmann::json doc = {{"a", 1}, {"b", {1.5, 2}}};
    write_json_file(out, doc);
    EXPECT_EQ(hepkit::test::slurp(out), "{\n \"a\": 1,\n \"b\": [\n  1.5,\n  2\n ]\n}\n");
    write_json_file(out, doc, -1);
    EXPECT_EQ(hepkit::test::slurp(out), "{\"a\":1,\"b\":[1.5,2]}\n");
    EXPECT_EQ(files_in(dir), 1u); // no temporary left behind
    fs::remove_all(dir);
}

TEST(JsonFile, ErrorsNameThePathAndWriteNothing) {
    const fs::path dir = fs::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-json-bad");
    fs::remove_all(dir);
    fs::create_directories(dir);
    // a directory that does not exist
    const fs::path missing = dir / "no-such-dir" / "x.json";
    try {
        write_json_file(missing, nlohmann::json{{"a", 1}});
        FAIL() << "wrote into a missing directory";
    } catch (const OutputError& e) {
        EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
    }
    // text that is not UTF-8 cannot be JSON: refused naming the file, nothing written
    const fs::path bad = dir / "bad.json";
    try {
        write_json_file(bad, nlohmann::json{{"name", std::string("caf\xe9")}});
        FAIL() << "wrote a string that is not UTF-8";
    } catch (const OutputError& e) {
        EXPECT_NE(std::string(e.what()).find(bad.string()), std::string::npos) << e.what();
    }
    EXPECT_EQ(files_in(dir), 0u);
    fs::remove_all(dir);
}

TEST(CsvWriter, NumbersRoundTripAndFieldsAreQuoted) {
    const double v = 0.1 + 0.2;
    EXPECT_EQ(std::stod(CsvWriter::number(v)), v);
    EXPECT_EQ(CsvWriter::field("plain"), "plain");
    EXPECT_EQ(CsvWriter::field("a,b"), "\"a,b\"");
    EXPECT_EQ(CsvWriter::field("say \"hi\""), "\"say \"\"hi\"\"\"");
}

TEST(Csv, ReadsQuotedFieldsAndLineNumbers) {
    const fs::path p = fs::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-csv-test.csv");
    std::ofstream(p) << "id,name\n# comment\n1,\"a,b\"\n\n2,plain\n";
    const CsvTable t = read_csv(p.string());
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[0].fields[1], "a,b");
    EXPECT_EQ(t.rows[0].line, 3);
    EXPECT_EQ(t.rows[1].line, 5);
    EXPECT_EQ(t.column("name"), 1);
    EXPECT_EQ(t.column("other"), -1);
}

TEST(Csv, WrongFieldCountNamesLine) {
    const fs::path p = fs::temp_directory_path() / (std::to_string(::getpid()) + "-hepkit-csv-bad.csv");
    std::ofstream(p) << "a,b\n1,2\n3\n";
    try {
        read_csv(p.string());
        FAIL();
    } catch (const InputError& e) {
        EXPECT_EQ(e.line(), 3);
    }
}
