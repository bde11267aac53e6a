#pragma once
// Reads an object the way ROOT's TBufferFile::ReadClassBuffer does, following the class layout
// the file's own streamer-info record gives for the version the object was written with (internal
// to hepkit::io). This is how one reader handles every class version a file may hold (TH1 v5 to
// v8, TAxis v6 to v10, ...) without a hand-written layout per version: only the classes with a
// custom streamer (TObject, TNamed, TString, TArrayC/S/I/L/F/D, TList/THashList of TObjString)
// are coded here. Members land in a flat record keyed by their path (`fXaxis.fNbins`); base
// classes add their members without a prefix, as C++ inheritance does. A TArray base is stored
// under `fArray`, its member name in ROOT.

#include "Cursor.hpp"
#include "hepkit/io/StreamerInfo.hpp"

#include <map>
#include <string>
#include <vector>

namespace hepkit::io {

struct ObjectRecord {
    std::map<std::string, double> numbers;
    std::map<std::string, std::vector<double>> arrays;
    std::map<std::string, std::string> strings;
    /// Lists of TObjString (axis labels); their fUniqueID (the bin) in arrays[KEY + ".bins"].
    std::map<std::string, std::vector<std::string>> labels;

    /// The number `key`, or `fallback` when the object's version has no such member.
    double number(const std::string& key, double fallback = 0) const;
    /// The array `key` (empty when absent).
    const std::vector<double>& array(const std::string& key) const;
    std::string string(const std::string& key) const;
};

class StreamerInfoReader {
  public:
    StreamerInfoReader(const StreamerInfos& infos, Cursor& cursor) : infos_(infos), c_(cursor) {}

    /// Reads one object of `class_name` at the cursor (its version header included) into `out`,
    /// member keys prefixed with `prefix`. Throws InputError (via the cursor) naming the file,
    /// the object and the offset for a malformed object or a class version the file does not
    /// describe.
    void read(const std::string& class_name, const std::string& prefix, ObjectRecord& out);

  private:
    void read_members(const StreamerInfo& info, const std::string& prefix, ObjectRecord& out, int depth);
    void read_class(const std::string& class_name, const std::string& prefix, ObjectRecord& out, int depth);
    void read_element(const StreamerElement& e, const std::string& prefix, ObjectRecord& out, int depth);
    bool read_custom(const std::string& class_name, const std::string& key, ObjectRecord& out);
    double read_basic(int type, const StreamerElement& e);
    void read_label_list(const std::string& key, ObjectRecord& out, std::size_t end);

    const StreamerInfos& infos_;
    Cursor& c_;
};

} // namespace hepkit::io
