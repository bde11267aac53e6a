#pragma once
/// @file
/// Chains and friends of TTrees: the same tree in many files read as one global entry range, and
/// further trees (friends) whose branches are read alongside, entry by entry.
///
///     hepkit::io::TreeChain events({"run1.root", "run2.root"}, "Events");
///     auto calib = std::make_shared<hepkit::io::TreeChain>(
///         std::vector<std::string>{"calib1.root", "calib2.root"}, "Calib");
///     events.add_friend(calib, "calib");                  // same number of entries
///     auto cols = events.read({"Muon_pt", "calib.scale"}, 0, events.entries());
///
/// Files are opened when the chain is made (their tree records are read; baskets only on read).
/// Each file's tree must have the branches of the first with the same types.

#include "hepkit/io/Tree.hpp"

#include <memory>
#include <span>
#include <string>
#include <vector>

namespace hepkit::io {

class TreeChain {
  public:
    /// Opens `tree` ("Events", "dir/t") in each of `paths` (at least one). Throws InputError naming
    /// the file when a tree is missing or its branches differ from the first file's.
    TreeChain(const std::vector<std::string>& paths, const std::string& tree);
    ~TreeChain();
    TreeChain(TreeChain&&) noexcept;
    TreeChain& operator=(TreeChain&&) noexcept;

    /// Sum of the files' entries.
    std::int64_t entries() const;
    std::size_t files() const;
    const Tree& tree(std::size_t file) const;
    /// Global entry number of the file's first entry.
    std::int64_t first_entry(std::size_t file) const;

    /// Adds a friend: its branches are read as `alias.branch`, or as plain `branch` when this chain
    /// has no branch of that name. Throws InputError when its entries differ from this chain's.
    void add_friend(std::shared_ptr<const TreeChain> other, const std::string& alias);

    /// The branches of the first file's tree (friends' branches are listed by friend_branches).
    const std::vector<BranchInfo>& branches() const;
    /// Friends' branches, named `alias.branch`.
    std::vector<BranchInfo> friend_branches() const;
    bool has_branch(const std::string& name) const;
    const BranchInfo& branch(const std::string& name) const;

    /// Entries [begin, end) of the global range: each file's part read and appended in order.
    Column read(const std::string& branch, std::int64_t begin, std::int64_t end,
                ThreadPool* pool = nullptr) const;
    std::vector<Column> read(std::span<const std::string> branches, std::int64_t begin, std::int64_t end,
                             ThreadPool* pool = nullptr) const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace hepkit::io
