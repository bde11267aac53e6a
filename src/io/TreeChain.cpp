// TreeChain: one RootFile and Tree per file, a table of first entries, friends resolved by alias.

#include "hepkit/io/TreeChain.hpp"

#include "hepkit/core/Error.hpp"
#include "hepkit/io/RootFile.hpp"

#include <algorithm>

namespace hepkit::io {

struct TreeChain::Impl {
    std::string tree_name;
    std::vector<std::unique_ptr<RootFile>> files;
    std::vector<Tree> trees;
    std::vector<std::int64_t> starts; ///< files()+1 global entry numbers
    struct Friend {
        std::shared_ptr<const TreeChain> chain;
        std::string alias;
    };
    std::vector<Friend> friends;

    // Which chain holds `name`, and under which name there: own branches first, then
    // `alias.branch`, then a friend's plain name.
    std::pair<const TreeChain*, std::string> resolve(const TreeChain& self, const std::string& name) const {
        if (trees.front().has_branch(name))
            return {&self, name};
        for (const auto& f : friends) {
            const std::string prefix = f.alias + ".";
            if (name.rfind(prefix, 0) == 0 && f.chain->has_branch(name.substr(prefix.size())))
                return {f.chain.get(), name.substr(prefix.size())};
        }
        for (const auto& f : friends)
            if (f.chain->has_branch(name))
                return {f.chain.get(), name};
        return {nullptr, name};
    }
};

TreeChain::TreeChain(const std::vector<std::string>& paths, const std::string& tree)
    : impl_(std::make_unique<Impl>()) {
    if (paths.empty())
        throw UsageError("files", "a chain needs at least one file");
    impl_->tree_name = tree;
    impl_->starts.push_back(0);
    for (const auto& path : paths) {
        impl_->files.push_back(std::make_unique<RootFile>(path));
        impl_->trees.emplace_back(*impl_->files.back(), tree);
        const Tree& t = impl_->trees.back();
        if (impl_->trees.size() > 1) {
            const auto& first = impl_->trees.front().branches();
            for (const auto& b : first) {
                if (!b.readable)
                    continue;
                if (!t.has_branch(b.name))
                    throw InputError(path, 0, "tree '" + tree + "'",
                                     "has no branch '" + b.name + "', which " + paths.front() +
                                         " has (the files of a chain need the same branches)");
                const auto& other = t.branch(b.name);
                if (other.type_name != b.type_name)
                    throw InputError(path, 0, "tree '" + tree + "' branch '" + b.name + "'",
                                     "is " + other.type_name + " here and " + b.type_name + " in " +
                                         paths.front());
            }
        }
        impl_->starts.push_back(impl_->starts.back() + t.entries());
    }
}

TreeChain::~TreeChain() = default;
TreeChain::TreeChain(TreeChain&&) noexcept = default;
TreeChain& TreeChain::operator=(TreeChain&&) noexcept = default;

std::int64_t TreeChain::entries() const {
    return impl_->starts.back();
}
std::size_t TreeChain::files() const {
    return impl_->trees.size();
}
const Tree& TreeChain::tree(std::size_t file) const {
    return impl_->trees.at(file);
}
std::int64_t TreeChain::first_entry(std::size_t file) const {
    return impl_->starts.at(file);
}
const std::vector<BranchInfo>& TreeChain::branches() const {
    return impl_->trees.front().branches();
}

void TreeChain::add_friend(std::shared_ptr<const TreeChain> other, const std::string& alias) {
    if (!other)
        throw UsageError("friend", "a null friend tree");
    if (other->entries() != entries())
        throw InputError(other->tree(0).file().path(), 0, "friend tree '" + alias + "'",
                         "has " + std::to_string(other->entries()) + " entries, the chain has " +
                             std::to_string(entries()) + " (friends are read entry by entry)");
    impl_->friends.push_back({std::move(other), alias});
}

std::vector<BranchInfo> TreeChain::friend_branches() const {
    std::vector<BranchInfo> out;
    for (const auto& f : impl_->friends) {
        for (BranchInfo b : f.chain->branches()) {
            b.name = f.alias + "." + b.name;
            out.push_back(std::move(b));
        }
    }
    return out;
}

bool TreeChain::has_branch(const std::string& name) const {
    return impl_->resolve(*this, name).first != nullptr;
}

const BranchInfo& TreeChain::branch(const std::string& name) const {
    const auto [chain, local] = impl_->resolve(*this, name);
    if (chain == this)
        return impl_->trees.front().branch(local);
    if (chain)
        return chain->branch(local);
    return impl_->trees.front().branch(name); // throws, naming the tree and close names
}

Column TreeChain::read(const std::string& branch, std::int64_t begin, std::int64_t end,
                       ThreadPool* pool) const {
    return std::move(read(std::span<const std::string>(&branch, 1), begin, end, pool).front());
}

std::vector<Column> TreeChain::read(std::span<const std::string> names, std::int64_t begin, std::int64_t end,
                                    ThreadPool* pool) const {
    if (begin < 0 || end < begin || end > entries())
        throw UsageError("entries", "range " + std::to_string(begin) + ":" + std::to_string(end) +
                                        " is outside the chain of tree '" + impl_->tree_name +
                                        "' (0:" + std::to_string(entries()) + ")");
    std::vector<Column> out(names.size());
    // Own branches: file by file, all at once within a file.
    std::vector<std::string> own;
    std::vector<std::size_t> own_at;
    for (std::size_t k = 0; k < names.size(); ++k) {
        const auto [chain, local] = impl_->resolve(*this, names[k]);
        if (chain == nullptr) {
            (void)impl_->trees.front().branch(names[k]); // throws
        } else if (chain == this) {
            own.push_back(local);
            own_at.push_back(k);
        } else {
            out[k] = chain->read(local, begin, end, pool);
            out[k].name = names[k];
        }
    }
    if (own.empty())
        return out;
    bool first = true;
    for (std::size_t f = 0; f < impl_->trees.size(); ++f) {
        const std::int64_t lo = std::max(begin, impl_->starts[f]);
        const std::int64_t hi = std::min(end, impl_->starts[f + 1]);
        if (hi <= lo)
            continue;
        auto part = impl_->trees[f].read(own, lo - impl_->starts[f], hi - impl_->starts[f], pool);
        for (std::size_t j = 0; j < own.size(); ++j) {
            if (first)
                out[own_at[j]] = std::move(part[j]);
            else
                append_column(out[own_at[j]], std::move(part[j]));
        }
        first = false;
    }
    if (first) {
        // An empty range: the columns of the first file, empty.
        auto part = impl_->trees.front().read(own, 0, 0, pool);
        for (std::size_t j = 0; j < own.size(); ++j)
            out[own_at[j]] = std::move(part[j]);
    }
    return out;
}

} // namespace hepkit::io
