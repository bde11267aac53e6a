#include "hepkit/expr/Lexer.hpp"

#include "hepkit/core/Error.hpp"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>

namespace hepkit::expr {

void Origin::fail(int line, int column, const std::string& what, const std::string& hint) const {
    std::string message = what;
    if (columns && column > 0)
        message += fmt::format(" at column {}", column);
    if (!hint.empty())
        message += "; " + hint;
    const int at = file.empty() ? 0 : first_line + line - 1;
    throw InputError(file, at, key, message);
}

namespace {

bool digit(char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

// Python's integer literal: decimal digits, or 0x/0o/0b with their digits (no '_' separators).
bool parse_integer(std::string_view t, std::int64_t& out, bool& fits) {
    int base = 10;
    std::string_view digits = t;
    if (t.size() > 2 && t[0] == '0' &&
        (t[1] == 'x' || t[1] == 'X' || t[1] == 'o' || t[1] == 'O' || t[1] == 'b' || t[1] == 'B')) {
        base = (t[1] == 'x' || t[1] == 'X') ? 16 : (t[1] == 'o' || t[1] == 'O') ? 8 : 2;
        digits = t.substr(2);
    } else {
        for (char c : t)
            if (!digit(c))
                return false;
    }
    const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), out, base);
    if (r.ptr != digits.data() + digits.size() && r.ec != std::errc::result_out_of_range)
        return false;
    fits = r.ec != std::errc::result_out_of_range;
    return true;
}

} // namespace

std::vector<Token> tokenize(std::string_view s, int line, const Origin& origin) {
    std::vector<Token> toks;
    std::size_t i = 0;
    const std::string text(s); // strtod needs a terminated string
    while (i < s.size()) {
        const char c = s[i];
        const int column = static_cast<int>(i) + 1;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            ++i;
            continue;
        }
        if (c == '#') {
            while (i < s.size() && s[i] != '\n')
                ++i;
            continue;
        }
        if (digit(c) || (c == '.' && i + 1 < s.size() && digit(s[i + 1]))) {
            // strtod, not stod: a literal beyond double's range (1e400) is an error naming the
            // line, not an escaping std::out_of_range
            const char* begin = text.c_str() + i;
            char* stop = nullptr;
            errno = 0;
            const double v = std::strtod(begin, &stop);
            const auto used = static_cast<std::size_t>(stop - begin);
            if (errno == ERANGE && std::isinf(v))
                origin.fail(line, column,
                            fmt::format("number '{}' is out of range (beyond +-1.8e308)", s.substr(i, used)));
            Token t{Token::number, std::string(s.substr(i, used)), v};
            t.integer = parse_integer(t.text, t.int_value, t.fits);
            t.line = line;
            t.column = column;
            toks.push_back(std::move(t));
            i += used;
            continue;
        }
        if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
            std::size_t j = i;
            while (j < s.size() &&
                   (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_' || s[j] == '.'))
                ++j;
            Token t{Token::name, std::string(s.substr(i, j - i))};
            t.line = line;
            t.column = column;
            toks.push_back(std::move(t));
            i = j;
            continue;
        }
        bool two = false;
        for (const char* op : {"**", "->", "==", "!=", "<=", ">=", "//", "+=", "-=", "*=", "/="})
            if (s.compare(i, 2, op) == 0) {
                Token t{Token::op, op};
                t.line = line;
                t.column = column;
                toks.push_back(std::move(t));
                i += 2;
                two = true;
                break;
            }
        if (two)
            continue;
        if (std::string_view("+-*/(),=:[]<>%").find(c) != std::string_view::npos) {
            Token t{Token::op, std::string(1, c)};
            t.line = line;
            t.column = column;
            toks.push_back(std::move(t));
            ++i;
            continue;
        }
        if (c == '&' || c == '|' || c == '~' || c == '!')
            origin.fail(line, column, fmt::format("unexpected character '{}'", c),
                        "use 'and', 'or', 'not' for conditions");
        origin.fail(line, column, fmt::format("unexpected character '{}'", c));
    }
    Token e{Token::end, ""};
    e.line = line;
    e.column = static_cast<int>(s.size()) + 1;
    toks.push_back(std::move(e));
    return toks;
}

} // namespace hepkit::expr
