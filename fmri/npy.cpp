#include "fmri/npy.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <stdexcept>

#include "surface/atomic_output.hpp"
#include "surface/file_bytes.hpp"
#include "surface/format_error.hpp"

namespace visalign::fmri {

using surface::host_is_little_endian;
using surface::load_number;

using surface::FormatError;

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicSize = 6;
constexpr std::size_t kAlignment = 64;        // numpy's ARRAY_ALIGN
constexpr std::size_t kGrowthAxisDigits = 21;  // numpy's GROWTH_AXIS_MAX_DIGITS (spare room after the dict)

std::uint32_t load_u32_le(const char* data, std::size_t size) {
  std::uint32_t value = 0;
  for (std::size_t i = size; i-- > 0;) value = (value << 8) | static_cast<unsigned char>(data[i]);
  return value;
}

// ---------------------------------------------------------------------------------------------
// The header is a Python dict literal, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }.
// A small parser for the literals numpy writes: strings, True/False/None, integers, tuples, lists.

struct Literal {
  enum class Kind { string, boolean, none, integer, sequence, other } kind = Kind::other;
  std::string text;                   // string value, or the source text for messages
  bool boolean = false;
  std::int64_t integer = 0;
  std::vector<Literal> items;         // tuple or list elements
  bool is_tuple = false;
};

class HeaderParser {
 public:
  HeaderParser(std::string text, std::string source) : text_(std::move(text)), source_(std::move(source)) {}

  std::map<std::string, Literal> parse_dict() {
    std::map<std::string, Literal> dict;
    skip_space();
    expect('{');
    while (true) {
      skip_space();
      if (peek() == '}') {
        ++position_;
        break;
      }
      Literal key = parse_value();
      if (key.kind != Literal::Kind::string) fail("a string key", key.text);
      skip_space();
      expect(':');
      Literal value = parse_value();
      if (!dict.emplace(key.text, std::move(value)).second) fail("each key once", "'" + key.text + "' twice");
      skip_space();
      if (peek() == ',') {
        ++position_;
      } else if (peek() != '}') {
        fail("',' or '}'", rest());
      }
    }
    skip_space();
    if (position_ != text_.size()) fail("the end of the header after the dict", rest());
    return dict;
  }

 private:
  [[noreturn]] void fail(const std::string& expected, const std::string& found) const {
    throw FormatError(source_, "header: expected " + expected + " at character " + std::to_string(position_) +
                                   " of the dict, found " + (found.empty() ? "the end" : found));
  }
  std::string rest() const {
    std::string found = text_.substr(position_, 24);
    return found.empty() ? found : "\"" + found + (position_ + 24 < text_.size() ? "...\"" : "\"");
  }
  char peek() const { return position_ < text_.size() ? text_[position_] : '\0'; }
  void skip_space() {
    while (position_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[position_]))) ++position_;
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("'") + c + "'", rest());
    ++position_;
  }

  Literal parse_value() {
    skip_space();
    const std::size_t start = position_;
    const char c = peek();
    Literal literal;
    if (c == '\'' || c == '"') {
      literal.kind = Literal::Kind::string;
      ++position_;
      while (peek() != c) {
        if (position_ >= text_.size()) fail("the end of a string", "the end of the header");
        if (peek() == '\\') ++position_;  // escapes: keep the next character as it is
        if (position_ < text_.size()) literal.text.push_back(text_[position_++]);
      }
      ++position_;
      return literal;
    }
    if (c == '(' || c == '[') {
      const char close = c == '(' ? ')' : ']';
      literal.kind = Literal::Kind::sequence;
      literal.is_tuple = c == '(';
      ++position_;
      while (true) {
        skip_space();
        if (peek() == close) {
          ++position_;
          break;
        }
        literal.items.push_back(parse_value());
        skip_space();
        if (peek() == ',') {
          ++position_;
        } else if (peek() != close) {
          fail(std::string("',' or '") + close + "'", rest());
        }
      }
      literal.text = text_.substr(start, position_ - start);
      return literal;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+') {
      std::size_t end = position_ + 1;
      while (end < text_.size() && std::isdigit(static_cast<unsigned char>(text_[end]))) ++end;
      literal.text = text_.substr(position_, end - position_);
      if (end < text_.size() && (text_[end] == 'L' || text_[end] == 'l')) ++end;  // Python 2 long
      try {
        std::size_t used = 0;
        literal.integer = std::stoll(literal.text, &used);
        literal.kind = used == literal.text.size() ? Literal::Kind::integer : Literal::Kind::other;
      } catch (const std::exception&) {
        fail("an integer", "\"" + literal.text + "\"");
      }
      position_ = end;
      return literal;
    }
    std::size_t end = position_;
    while (end < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[end])) || text_[end] == '_')) ++end;
    literal.text = text_.substr(position_, end - position_);
    if (literal.text == "True" || literal.text == "False") {
      literal.kind = Literal::Kind::boolean;
      literal.boolean = literal.text == "True";
    } else if (literal.text == "None") {
      literal.kind = Literal::Kind::none;
    } else {
      fail("a Python literal", rest());
    }
    position_ = end;
    return literal;
  }

  std::string text_;
  std::string source_;
  std::size_t position_ = 0;
};

// ---------------------------------------------------------------------------------------------

struct ElementType {
  char kind = 'f';           // b, i, u, f
  std::size_t size = 4;
  bool big_endian = false;
};

ElementType parse_dtype(const Literal& descr, const std::string& source) {
  if (descr.kind == Literal::Kind::sequence) {
    throw FormatError(source, "descr: expected a plain numeric dtype such as '<f4', found the structured dtype " +
                                  descr.text);
  }
  if (descr.kind != Literal::Kind::string) {
    throw FormatError(source, "descr: expected a dtype string such as '<f4', found " + descr.text);
  }
  const std::string& text = descr.text;
  const std::string supported = "bool (b1), int8/16/32/64 (i1..i8), uint8/16/32/64 (u1..u8) or float16/32/64 (f2, f4, f8)";
  if (text.size() < 2 || std::string("<>|=").find(text[0]) == std::string::npos) {
    throw FormatError(source, "descr: expected a byte order ('<', '>', '|' or '=') and a type, found '" + text + "'");
  }
  ElementType type;
  type.kind = text[1];
  if (type.kind == 'O') {
    throw FormatError(source, "descr: found '" + text + "', an object array (pickled Python objects), which cannot be "
                                  "read; expected " + supported);
  }
  const std::string digits = text.substr(2);
  const bool numeric_size = !digits.empty() && digits.size() <= 2 &&
                            std::all_of(digits.begin(), digits.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  type.size = numeric_size ? std::stoul(digits) : 0;
  const bool supported_kind = (type.kind == 'b' && type.size == 1) ||
                              ((type.kind == 'i' || type.kind == 'u') &&
                               (type.size == 1 || type.size == 2 || type.size == 4 || type.size == 8)) ||
                              (type.kind == 'f' && (type.size == 2 || type.size == 4 || type.size == 8));
  if (!supported_kind) {
    std::string what;
    switch (type.kind) {
      case 'S': case 'a': what = " (byte strings)"; break;
      case 'U': what = " (unicode strings)"; break;
      case 'c': what = " (complex numbers)"; break;
      case 'M': case 'm': what = " (dates and times)"; break;
      case 'V': what = " (raw void records)"; break;
      default: break;
    }
    throw FormatError(source, "descr: expected " + supported + ", found '" + text + "'" + what);
  }
  if (text[0] == '|' && type.size != 1) {
    throw FormatError(source, "descr: expected a byte order ('<' or '>') for a " + std::to_string(type.size) +
                                  "-byte type, found '" + text + "'");
  }
  type.big_endian = text[0] == '>' || (text[0] == '=' && !host_is_little_endian());
  return type;
}

double half_to_double(std::uint16_t bits) {
  const int sign = bits >> 15, exponent = (bits >> 10) & 0x1f, mantissa = bits & 0x3ff;
  double magnitude;
  if (exponent == 0) {
    magnitude = std::ldexp(static_cast<double>(mantissa), -24);  // zero and subnormals
  } else if (exponent == 31) {
    magnitude = mantissa == 0 ? std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
  } else {
    magnitude = std::ldexp(static_cast<double>(mantissa | 0x400), exponent - 25);
  }
  return sign ? -magnitude : magnitude;
}

double decode_element(const char* data, const ElementType& type) {
  switch (type.kind) {
    case 'b': return *data != 0 ? 1.0 : 0.0;
    case 'i':
      switch (type.size) {
        case 1: return static_cast<std::int8_t>(*data);
        case 2: return load_number<std::int16_t>(data, type.big_endian);
        case 4: return load_number<std::int32_t>(data, type.big_endian);
        default: return static_cast<double>(load_number<std::int64_t>(data, type.big_endian));
      }
    case 'u':
      switch (type.size) {
        case 1: return static_cast<unsigned char>(*data);
        case 2: return load_number<std::uint16_t>(data, type.big_endian);
        case 4: return load_number<std::uint32_t>(data, type.big_endian);
        default: return static_cast<double>(load_number<std::uint64_t>(data, type.big_endian));
      }
    default:
      switch (type.size) {
        case 2: return half_to_double(load_number<std::uint16_t>(data, type.big_endian));
        case 4: return load_number<float>(data, type.big_endian);
        default: return load_number<double>(data, type.big_endian);
      }
  }
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + (shape.size() == 1 ? ",)" : ")");
}

}  // namespace

NpyArray read_npy(const std::filesystem::path& path) {
  const std::string source = path.string();
  const std::vector<char> bytes = surface::read_file_bytes(path);
  if (bytes.size() < kMagicSize + 2 || std::memcmp(bytes.data(), kMagic, kMagicSize) != 0) {
    std::string found;
    for (std::size_t i = 0; i < std::min<std::size_t>(bytes.size(), kMagicSize); ++i) {
      const auto byte = static_cast<unsigned char>(bytes[i]);
      char text[8];
      std::snprintf(text, sizeof text, (byte >= 0x20 && byte < 0x7f) ? "%c" : "\\x%02x", byte);
      found += text;
    }
    throw FormatError(source, "magic: expected \"\\x93NUMPY\" (a NumPy .npy file), found \"" + found + "\"");
  }
  const int major = static_cast<unsigned char>(bytes[6]), minor = static_cast<unsigned char>(bytes[7]);
  if ((major != 1 && major != 2 && major != 3) || minor != 0) {
    throw FormatError(source, "version: expected 1.0, 2.0 or 3.0, found " + std::to_string(major) + "." +
                                  std::to_string(minor));
  }
  const std::size_t length_size = major == 1 ? 2 : 4;
  const std::size_t prefix = kMagicSize + 2 + length_size;
  if (bytes.size() < prefix) {
    throw FormatError(source, "truncated in header length: expected " + std::to_string(prefix) + " bytes, found " +
                                  std::to_string(bytes.size()));
  }
  const std::size_t header_length = load_u32_le(bytes.data() + kMagicSize + 2, length_size);
  if (bytes.size() - prefix < header_length) {
    throw FormatError(source, "truncated in header: expected " + std::to_string(header_length) + " bytes at offset " +
                                  std::to_string(prefix) + ", found " + std::to_string(bytes.size() - prefix));
  }
  // Version 3.0 headers are UTF-8; the keys and values read here are ASCII either way.
  std::string header(bytes.data() + prefix, header_length);
  const std::map<std::string, Literal> dict = HeaderParser(header, source).parse_dict();
  for (const char* key : {"descr", "fortran_order", "shape"}) {
    if (dict.count(key) == 0) throw FormatError(source, std::string("header: expected the key '") + key + "', found none");
  }
  for (const auto& entry : dict) {
    if (entry.first != "descr" && entry.first != "fortran_order" && entry.first != "shape") {
      throw FormatError(source, "header: expected only the keys 'descr', 'fortran_order' and 'shape', found '" +
                                    entry.first + "'");
    }
  }

  NpyArray array;
  const Literal& descr = dict.at("descr");
  const ElementType type = parse_dtype(descr, source);
  array.dtype = descr.text;
  const Literal& order = dict.at("fortran_order");
  if (order.kind != Literal::Kind::boolean) {
    throw FormatError(source, "fortran_order: expected True or False, found " + order.text);
  }
  array.fortran_order = order.boolean;
  const Literal& shape = dict.at("shape");
  if (shape.kind != Literal::Kind::sequence || !shape.is_tuple) {
    throw FormatError(source, "shape: expected a tuple of sizes, found " + shape.text);
  }
  for (const Literal& item : shape.items) {
    if (item.kind != Literal::Kind::integer || item.integer < 0) {
      throw FormatError(source, "shape: expected non-negative integer sizes, found " + shape.text);
    }
    array.shape.push_back(item.integer);
  }

  const std::size_t data_offset = prefix + header_length;
  const std::size_t available = bytes.size() - data_offset;
  const bool empty = std::find(array.shape.begin(), array.shape.end(), 0) != array.shape.end();
  std::size_t count = empty ? 0 : 1;
  for (std::size_t i = 0; i < array.shape.size() && !empty; ++i) {
    const auto size = static_cast<std::uint64_t>(array.shape[i]);
    if (count > available / size) {  // more elements than bytes: truncated (checked before the product can overflow)
      count = available + 1;
      break;
    }
    count *= static_cast<std::size_t>(size);
  }
  if (count > available / type.size) {
    throw FormatError(source, "truncated in data: expected " +
                                  (count > available ? std::string("more than ") + std::to_string(available)
                                                     : std::to_string(count * type.size)) +
                                  " bytes of '" + array.dtype + "' " + shape_text(array.shape) + " at offset " +
                                  std::to_string(data_offset) + ", found " + std::to_string(available));
  }

  const char* data = bytes.data() + data_offset;
  array.values.resize(count);
  if (!array.fortran_order || array.shape.size() < 2) {
    for (std::size_t i = 0; i < count; ++i) array.values[i] = decode_element(data + i * type.size, type);
    return array;
  }
  // Fortran order: walk the C-order index like an odometer (last index fastest) and track the
  // element's Fortran-order position (first index fastest).
  const std::size_t rank = array.shape.size();
  std::vector<std::size_t> fortran_stride(rank, 1);
  for (std::size_t k = 1; k < rank; ++k) fortran_stride[k] = fortran_stride[k - 1] * static_cast<std::size_t>(array.shape[k - 1]);
  std::vector<std::size_t> index(rank, 0);
  std::size_t fortran_position = 0;
  for (std::size_t i = 0; i < count; ++i) {
    array.values[i] = decode_element(data + fortran_position * type.size, type);
    for (std::size_t k = rank; k-- > 0;) {
      if (++index[k] < static_cast<std::size_t>(array.shape[k])) {
        fortran_position += fortran_stride[k];
        break;
      }
      fortran_position -= (index[k] - 1) * fortran_stride[k];
      index[k] = 0;
    }
  }
  return array;
}

Eigen::MatrixXd npy_matrix(const NpyArray& array, const std::string& source) {
  if (array.shape.size() != 1 && array.shape.size() != 2) {
    throw FormatError(source, "shape: expected a 2-D array (rows, columns) or a 1-D array (read as one column), found " +
                                  shape_text(array.shape));
  }
  const Eigen::Index rows = array.shape[0];
  const Eigen::Index columns = array.shape.size() == 2 ? array.shape[1] : 1;
  if (static_cast<std::size_t>(rows * columns) != array.values.size()) {
    throw std::invalid_argument(source + ": NpyArray of shape " + shape_text(array.shape) + " holds " +
                                std::to_string(array.values.size()) + " values");
  }
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  return Eigen::Map<const RowMajor>(array.values.data(), rows, columns);
}

namespace {

template <typename Matrix>
void write_npy_matrix(const Matrix& matrix, const std::filesystem::path& path, bool float64) {
  // The header exactly as numpy's np.save writes it (format 1.0).
  const std::string first_size = std::to_string(matrix.rows());
  std::string header = std::string("{'descr': '") + (float64 ? "<f8" : "<f4") + "', 'fortran_order': False, 'shape': (" +
                       first_size + ", " + std::to_string(matrix.cols()) + "), }";
  header.append(kGrowthAxisDigits - first_size.size(), ' ');
  const std::size_t unpadded = kMagicSize + 2 + 2 + header.size() + 1;  // +1: the final newline
  header.append(kAlignment - unpadded % kAlignment, ' ');
  header.push_back('\n');
  if (header.size() > 0xffff) throw std::invalid_argument(path.string() + ": .npy header too long");

  const std::size_t element_size = float64 ? 8 : 4;
  std::string out(kMagic, kMagicSize);
  out.push_back('\x01');
  out.push_back('\x00');
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>(header.size() >> 8));
  out += header;
  const std::size_t start = out.size();
  out.resize(start + element_size * static_cast<std::size_t>(matrix.size()));
  char* data = &out[start];
  for (Eigen::Index row = 0; row < matrix.rows(); ++row) {
    for (Eigen::Index column = 0; column < matrix.cols(); ++column) {
      unsigned char raw[8];
      if (float64) {
        const double value = static_cast<double>(matrix(row, column));
        std::memcpy(raw, &value, 8);
      } else {
        const float value = static_cast<float>(matrix(row, column));
        std::memcpy(raw, &value, 4);
      }
      if (!host_is_little_endian()) std::reverse(raw, raw + element_size);
      std::memcpy(data, raw, element_size);
      data += element_size;
    }
  }
  surface::write_bytes_atomically(path, out, path.extension() == ".gz");
}

}  // namespace

void write_npy(const Eigen::MatrixXd& matrix, const std::filesystem::path& path, bool float64) {
  write_npy_matrix(matrix, path, float64);
}

void write_float_npy(const Eigen::MatrixXf& matrix, const std::filesystem::path& path) { write_npy_matrix(matrix, path, false); }

}  // namespace visalign::fmri
