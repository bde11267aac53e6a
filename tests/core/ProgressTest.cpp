// Progress: rate limiting, quiet mode, a callback or a stream as the sink.

#include "hepkit/core/Progress.hpp"

#include <cstdio>
#include <gtest/gtest.h>
#include <string>
#include <thread>
#include <vector>

namespace hepkit {
namespace {

TEST(Progress, FirstLineWaitsAndLinesAreRateLimited) {
    std::vector<std::string> lines;
    Progress p({.enabled = true, .first_after_s = 0.05, .interval_s = 3600},
               [&](const std::string& text) { lines.push_back(text); });
    EXPECT_FALSE(p.due()); // a run shorter than 0.05 s shows nothing
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    ASSERT_TRUE(p.due());
    p.show("1 / 3");
    EXPECT_TRUE(p.shown());
    EXPECT_FALSE(p.due()); // the next one after an hour
    p.show("3 / 3");       // a final count is shown whether due or not
    p.finish();
    EXPECT_FALSE(p.shown());
    EXPECT_EQ(lines, (std::vector<std::string>{"1 / 3", "3 / 3"}));
}

TEST(Progress, QuietShowsNothing) {
    std::vector<std::string> lines;
    Progress p({.enabled = false, .first_after_s = 0, .interval_s = 0},
               [&](const std::string& text) { lines.push_back(text); });
    EXPECT_FALSE(p.due());
    p.show("never");
    EXPECT_FALSE(p.shown());
    EXPECT_TRUE(lines.empty());
}

TEST(Progress, StreamLinesReplaceEachOtherAndFinishEndsTheLine) {
    std::FILE* f = std::tmpfile();
    ASSERT_NE(f, nullptr);
    {
        Progress p({.enabled = true, .first_after_s = 0, .interval_s = 0}, f);
        p.show("10 / 100 done");
        p.show("100 / 100"); // padded over the longer previous line
    }                        // the destructor finishes the line
    std::rewind(f);
    std::string text;
    for (int c; (c = std::fgetc(f)) != EOF;)
        text += static_cast<char>(c);
    std::fclose(f);
    EXPECT_EQ(text, "\r  10 / 100 done\r  100 / 100    \n");
}

} // namespace
} // namespace hepkit
