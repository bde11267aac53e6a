#pragma once
/// @file
/// Recursive-descent parser of the expression language: Python's expression grammar and
/// precedence (or < and < not < comparisons < + - < * / // % < unary < ** < indexing and calls),
/// and the function definitions of kafe2 model files (`def name(x, a=1.0): ...; return ...`).
///
/// Two dialects: `model` (the real-valued subset of kafe2 models: arithmetic, **, functions,
/// constants; anything else is an error naming the line) and `selection` (adds comparisons,
/// and/or/not, True/False, // and %, indexing, where and the reductions). Names stay unresolved
/// here; Function (models) and Expression (selections) resolve them.

#include "hepkit/expr/Ast.hpp"
#include "hepkit/expr/Lexer.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hepkit::expr {

enum class Dialect : unsigned char { model, selection };

/// A statement of a function body: `target = expression` or `return expression`.
struct Statement {
    int first = 0;      ///< first node of the statement's expression
    int root = 0;       ///< its root node (the last one)
    std::string target; ///< assigned local; empty for the return
    int line = 0;
};

/// A parsed `def`: header and body as one node array.
struct FunctionSyntax {
    std::string name;
    std::vector<std::string> args;
    std::vector<std::optional<double>> defaults;
    std::vector<Node> nodes;
    std::vector<Statement> body; ///< assignments, then exactly one return (last)
};

class Parser {
  public:
    /// Deepest nesting of parentheses, unary signs, `not` and right-associative `**` (each
    /// counts once, a parenthesis twice): a hostile expression ends in an error, not a stack
    /// overflow.
    static constexpr int max_nesting = 400;

    Parser(Dialect dialect, Origin origin) : dialect_(dialect), origin_(std::move(origin)) {}

    /// Parses a whole model file's function (comments, docstring, lines joined inside brackets
    /// or after '\'). `on_statement` is called after each statement is parsed (the caller
    /// resolves its names then, so that errors come in the order of the lines).
    FunctionSyntax parse_function(const std::string& code,
                                  const std::function<void(const FunctionSyntax&)>& on_statement = {});

    /// Parses one expression (newlines are blanks) into `nodes`; returns the root.
    int parse_expression(const std::string& text, std::vector<Node>& nodes);

    const Origin& origin() const { return origin_; }

  private:
    std::vector<std::pair<int, std::string>> logical_lines(const std::string& code);
    [[noreturn]] void fail_at(const Token& t, const std::string& what, const std::string& hint = "") const;
    const Token& tok() const { return toks_[pos_]; }
    void next();
    bool is_op(const char* op) const;
    bool is_name(const char* n) const;
    void expect_op(const char* op);
    std::string take_name(const char* what);
    void expect_end();
    void not_in_models(const Token& t, const std::string& what) const;

    int add(Node n);
    int expression();
    int or_test();
    int and_test();
    int not_test();
    int comparison();
    int arith();
    int term();
    int factor();
    int power();
    int postfix();
    int atom();
    int call(const Token& t, const std::string& name);

    struct Nesting;
    Dialect dialect_;
    Origin origin_;
    std::vector<Token> toks_;
    std::size_t pos_ = 0;
    int nesting_ = 0;
    std::vector<Node>* nodes_ = nullptr;
};

} // namespace hepkit::expr
