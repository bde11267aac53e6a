#pragma once
/// @file
/// Tokens of the expression language (Python's lexical rules for numbers, names, operators) and
/// where code comes from, so that every error names the file and line, or the expression and
/// column.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hepkit::expr {

/// Where parsed code comes from; builds the errors (hepkit::InputError).
struct Origin {
    /// File name (or a label such as "<model>"); empty for an expression given on its own.
    std::string file;
    /// Line of the code's first line in `file`.
    int first_line = 1;
    /// Key of the error: "model_function" for model code, the expression text for a selection.
    std::string key;
    /// Whether messages name the column (single expressions; model lines are joined).
    bool columns = false;

    /// Throws InputError: `what` [" at column N"] ["; " `hint`]. `line` counts from 1 in the code.
    [[noreturn]] void fail(int line, int column, const std::string& what, const std::string& hint = "") const;
};

struct Token {
    enum Kind : unsigned char { number, name, op, end };
    Kind kind = end;
    std::string text;
    double value = 0;           ///< number: the value as a double (strtod)
    bool integer = false;       ///< number: an integer literal (digits only, or 0x/0o/0b)
    bool fits = true;           ///< integer literal: fits into int64 (int_value is valid)
    std::int64_t int_value = 0; ///< integer literal value
    int line = 0;
    int column = 0; ///< 1-based, in the tokenized text
};

/// Splits one logical line (or a whole expression: newlines count as blanks, `#` starts a
/// comment) into tokens, ending with an `end` token. Names may contain dots (`np.exp`,
/// `scipy.special.erf`): the parser splits off the module. Throws through `origin` on a
/// character that is not part of the language or a number beyond double's range.
std::vector<Token> tokenize(std::string_view text, int line, const Origin& origin);

} // namespace hepkit::expr
