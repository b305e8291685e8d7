#include "surface/gifti.hpp"

#include <zlib.h>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <utility>

#include "surface/base64.hpp"
#include "surface/atomic_output.hpp"
#include "surface/file_bytes.hpp"
#include "surface/format_error.hpp"

namespace visalign::surface {

namespace {

namespace ptree_ns = boost::property_tree;

// ---------------------------------------------------------------------------------------------
// Vocabulary of the format (with the older gifticlib spellings that real files still carry).

enum class Encoding { ascii, base64, gzip_base64, external_file };
enum class ByteOrder { little, big };

struct DataType {
  const char* name;
  int size;  // bytes per element
  bool is_integer;
  bool is_signed;
  bool is_float32;
  double minimum;  // representable range, for ASCII integers
  double maximum;
};

constexpr DataType kDataTypes[] = {
    {"NIFTI_TYPE_UINT8", 1, true, false, false, 0.0, 255.0},
    {"NIFTI_TYPE_INT8", 1, true, true, false, -128.0, 127.0},
    {"NIFTI_TYPE_INT16", 2, true, true, false, -32768.0, 32767.0},
    {"NIFTI_TYPE_UINT16", 2, true, false, false, 0.0, 65535.0},
    {"NIFTI_TYPE_INT32", 4, true, true, false, -2147483648.0, 2147483647.0},
    {"NIFTI_TYPE_UINT32", 4, true, false, false, 0.0, 4294967295.0},
    {"NIFTI_TYPE_INT64", 8, true, true, false, -9223372036854775808.0, 9223372036854775808.0},
    {"NIFTI_TYPE_UINT64", 8, true, false, false, 0.0, 18446744073709551616.0},
    {"NIFTI_TYPE_FLOAT32", 4, false, true, true, 0.0, 0.0},
    {"NIFTI_TYPE_FLOAT64", 8, false, true, false, 0.0, 0.0},
};

// GIFTI allows up to 6 dimensions; a bound on the total keeps a lying header from asking
// for terabytes before the data is looked at.
constexpr int kMaximumDimensionality = 6;
constexpr std::int64_t kMaximumElements = std::int64_t{1} << 40;

const char* const kDoctype =
    "<!DOCTYPE GIFTI SYSTEM \"http://www.nitrc.org/frs/download.php/115/gifti.dtd\">";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string trimmed(std::string_view text) {
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && is_space(text[begin])) ++begin;
  while (end > begin && is_space(text[end - 1])) --end;
  return std::string(text.substr(begin, end - begin));
}

std::string shown_text(std::string_view text) {
  constexpr std::size_t kShown = 60;
  std::string shown(text.substr(0, kShown));
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return "\"" + shown + (text.size() > kShown ? "...\"" : "\"");
}

std::string dimensions_text(const std::vector<std::int64_t>& dimensions) {
  std::string text;
  for (std::size_t k = 0; k < dimensions.size(); ++k) {
    if (k > 0) text += "x";
    text += std::to_string(dimensions[k]);
  }
  return text;
}

// Throws FormatError with "<file>: <where><field>: <problem>", where `where` is empty for the
// file level and "DataArray i: " inside an array.
class ErrorContext {
 public:
  ErrorContext(std::string file, std::string where) : file_(std::move(file)), where_(std::move(where)) {}
  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    throw FormatError(file_, where_ + field + ": " + problem);
  }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::string where_;
};

// ---------------------------------------------------------------------------------------------
// XML access.

const ptree_ns::ptree* child_or_null(const ptree_ns::ptree& node, const std::string& key) {
  const auto found = node.find(key);
  return found == node.not_found() ? nullptr : &found->second;
}

std::optional<std::string> attribute(const ptree_ns::ptree& element, const std::string& name) {
  const ptree_ns::ptree* attributes = child_or_null(element, "<xmlattr>");
  if (attributes == nullptr) return std::nullopt;
  const ptree_ns::ptree* value = child_or_null(*attributes, name);
  if (value == nullptr) return std::nullopt;
  return trimmed(value->data());
}

std::string required_attribute(const ptree_ns::ptree& element, const std::string& name, const ErrorContext& context,
                               const std::string& expected) {
  std::optional<std::string> value = attribute(element, name);
  if (!value) context.fail(name, "expected " + expected + ", found no such attribute");
  if (value->empty()) context.fail(name, "expected " + expected + ", found an empty value");
  return *value;
}

std::int64_t parse_integer(const std::string& text, const ErrorContext& context, const std::string& field,
                           std::int64_t minimum) {
  std::int64_t value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') ++begin;
  const auto [stop, error] = std::from_chars(begin, end, value);
  if (text.empty() || error != std::errc() || stop != end || value < minimum) {
    context.fail(field, "expected an integer of at least " + std::to_string(minimum) + ", found " + shown_text(text));
  }
  return value;
}

// <MetaData><MD><Name>..</Name><Value>..</Value></MD>...</MetaData> (CDATA or plain text).
std::map<std::string, std::string> read_metadata(const ptree_ns::ptree& parent, const ErrorContext& context) {
  std::map<std::string, std::string> metadata;
  const ptree_ns::ptree* block = child_or_null(parent, "MetaData");
  if (block == nullptr) return metadata;
  std::size_t entry = 0;
  for (const auto& [key, md] : *block) {
    if (key != "MD") continue;
    const ptree_ns::ptree* name = child_or_null(md, "Name");
    if (name == nullptr) {
      context.fail("MetaData", "expected a <Name> in entry " + std::to_string(entry) + ", found none");
    }
    const ptree_ns::ptree* value = child_or_null(md, "Value");
    metadata[trimmed(name->data())] = value == nullptr ? std::string() : trimmed(value->data());
    ++entry;
  }
  return metadata;
}

// rapidxml parses nested elements recursively: a crafted file nested tens of thousands deep
// would overflow the stack. GIFTI nests 5 deep; this scan (which skips comments, CDATA,
// declarations and quoted attribute values) refuses anything deeper than kMaximumNesting.
constexpr std::size_t kMaximumNesting = 256;

std::size_t element_nesting(std::string_view text) {
  std::size_t depth = 0;
  std::size_t deepest = 0;
  std::size_t i = 0;
  auto skip_past = [&text, &i](std::string_view end) {
    const std::size_t found = text.find(end, i);
    i = found == std::string_view::npos ? text.size() : found + end.size();
  };
  while ((i = text.find('<', i)) != std::string_view::npos) {
    const std::string_view rest = text.substr(i);
    if (rest.substr(0, 4) == "<!--") {
      skip_past("-->");
    } else if (rest.substr(0, 9) == "<![CDATA[") {
      skip_past("]]>");
    } else if (rest.substr(0, 2) == "<?") {
      skip_past("?>");
    } else if (rest.substr(0, 2) == "<!") {
      skip_past(">");
    } else if (rest.substr(0, 2) == "</") {
      if (depth > 0) --depth;
      skip_past(">");
    } else {
      // A start tag: find its end outside quoted attribute values.
      char quote = 0;
      std::size_t j = i + 1;
      for (; j < text.size(); ++j) {
        const char c = text[j];
        if (quote != 0) {
          if (c == quote) quote = 0;
        } else if (c == '"' || c == '\'') {
          quote = c;
        } else if (c == '>') {
          break;
        }
      }
      if (j >= text.size() || text[j - 1] != '/') deepest = std::max(deepest, ++depth);
      i = j + 1;
    }
    if (deepest > kMaximumNesting) break;
  }
  return deepest;
}

// <LabelTable><Label Key="k" Red=".." Green=".." Blue=".." Alpha="..">name</Label>...</LabelTable>.
// Early GIFTI files say Index instead of Key (both accepted, Key wins, as in nibabel); colour
// attributes are optional and read as 0 when absent.
std::vector<GiftiLabel> read_label_table(const ptree_ns::ptree& root, const ErrorContext& context) {
  std::vector<GiftiLabel> labels;
  const ptree_ns::ptree* table = child_or_null(root, "LabelTable");
  if (table == nullptr) return labels;
  for (const auto& [tag, element] : *table) {
    if (tag != "Label") continue;
    const std::string entry = "LabelTable entry " + std::to_string(labels.size());
    std::optional<std::string> key_text = attribute(element, "Key");
    if (!key_text) key_text = attribute(element, "Index");
    if (!key_text) context.fail(entry, "expected a Key (or Index) attribute, found none");
    const std::int64_t key =
        parse_integer(*key_text, context, entry + " Key", std::numeric_limits<std::int32_t>::min());
    if (key > std::numeric_limits<std::int32_t>::max()) {
      context.fail(entry + " Key", "expected a 32-bit integer, found " + shown_text(*key_text));
    }
    GiftiLabel label{static_cast<std::int32_t>(key), trimmed(element.data()), {0.0f, 0.0f, 0.0f, 0.0f}};
    const char* const channels[] = {"Red", "Green", "Blue", "Alpha"};
    for (std::size_t c = 0; c < 4; ++c) {
      const std::optional<std::string> text = attribute(element, channels[c]);
      if (!text) continue;
      double value = 0.0;
      const char* begin = text->data();
      const char* end = text->data() + text->size();
      if (begin != end && *begin == '+') ++begin;
      const auto [stop, error] = std::from_chars(begin, end, value);
      if (text->empty() || error != std::errc() || stop != end || !std::isfinite(value)) {
        context.fail(entry + " " + channels[c], "expected a number from 0 to 1, found " + shown_text(*text));
      }
      label.rgba[c] = static_cast<float>(value);
    }
    labels.push_back(std::move(label));
  }
  return labels;
}

// ---------------------------------------------------------------------------------------------
// Decoding.

const DataType& parse_data_type(const std::string& text, const ErrorContext& context) {
  for (const DataType& type : kDataTypes) {
    if (text == type.name) return type;
  }
  std::string names;
  for (const DataType& type : kDataTypes) names += std::string(names.empty() ? "" : ", ") + type.name;
  context.fail("DataType", "expected one of " + names + ", found " + shown_text(text));
}

Encoding parse_encoding(const std::string& text, const ErrorContext& context) {
  if (text == "ASCII" || text == "GIFTI_ENCODING_ASCII") return Encoding::ascii;
  if (text == "Base64Binary" || text == "GIFTI_ENCODING_B64BIN") return Encoding::base64;
  if (text == "GZipBase64Binary" || text == "GIFTI_ENCODING_B64GZ") return Encoding::gzip_base64;
  if (text == "ExternalFileBinary" || text == "GIFTI_ENCODING_EXTBIN") return Encoding::external_file;
  context.fail("Encoding",
               "expected ASCII, Base64Binary, GZipBase64Binary or ExternalFileBinary, found " + shown_text(text));
}

ByteOrder parse_byte_order(const ptree_ns::ptree& element, const ErrorContext& context) {
  const std::string text = required_attribute(element, "Endian", context, "LittleEndian or BigEndian");
  if (text == "LittleEndian" || text == "GIFTI_ENDIAN_LITTLE") return ByteOrder::little;
  if (text == "BigEndian" || text == "GIFTI_ENDIAN_BIG") return ByteOrder::big;
  context.fail("Endian", "expected LittleEndian or BigEndian, found " + shown_text(text));
}

bool parse_column_major(const ptree_ns::ptree& element, const ErrorContext& context) {
  const std::string text =
      required_attribute(element, "ArrayIndexingOrder", context, "RowMajorOrder or ColumnMajorOrder");
  if (text == "RowMajorOrder") return false;
  if (text == "ColumnMajorOrder") return true;
  context.fail("ArrayIndexingOrder", "expected RowMajorOrder or ColumnMajorOrder, found " + shown_text(text));
}

int base64_digit(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::string decode_base64(std::string_view text, const ErrorContext& context) {
  // Fast path: whole groups of four base64 digits through a lookup table. Anything else
  // (whitespace, padding, a bad character) hands the rest to the careful loop below.
  static const std::array<std::int8_t, 256> table = [] {
    std::array<std::int8_t, 256> digits{};
    for (int c = 0; c < 256; ++c) digits[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(base64_digit(static_cast<unsigned char>(c)));
    return digits;
  }();
  std::string bytes;
  bytes.resize(text.size() / 4 * 3 + 3);
  std::size_t written = 0;
  std::size_t i = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  while (i + 4 <= text.size()) {
    const int a = table[in[i]], b = table[in[i + 1]], c = table[in[i + 2]], d = table[in[i + 3]];
    if ((a | b | c | d) < 0) break;
    const std::uint32_t group = (static_cast<std::uint32_t>(a) << 18) | (static_cast<std::uint32_t>(b) << 12) |
                                (static_cast<std::uint32_t>(c) << 6) | static_cast<std::uint32_t>(d);
    bytes[written++] = static_cast<char>(group >> 16);
    bytes[written++] = static_cast<char>((group >> 8) & 0xff);
    bytes[written++] = static_cast<char>(group & 0xff);
    i += 4;
  }
  bytes.resize(written);
  const std::size_t fast_digits = i;

  std::uint32_t accumulator = 0;
  int bits = 0;
  std::size_t digits = fast_digits;  // groups of four: the bit accumulator starts empty
  std::size_t padding = 0;
  for (; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (is_space(static_cast<char>(c))) continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    const int digit = base64_digit(c);
    if (digit < 0 || padding > 0) {
      std::ostringstream found;
      if (digit < 0) {
        found << "invalid character ";
        if (c >= 0x20 && c < 0x7f) found << "'" << static_cast<char>(c) << "' ";
        found << "(byte 0x" << std::hex << static_cast<int>(c) << std::dec << ")";
      } else {
        found << "text after the '=' padding";
      }
      found << " at offset " << i << " of the <Data> text";
      context.fail("Data", "expected base64 text, found " + found.str());
    }
    accumulator = (accumulator << 6) | static_cast<std::uint32_t>(digit);
    bits += 6;
    ++digits;
    if (bits >= 8) {
      bits -= 8;
      bytes.push_back(static_cast<char>((accumulator >> bits) & 0xff));
    }
  }
  if (digits % 4 == 1) {
    context.fail("Data", "expected base64 text, found " + std::to_string(digits) +
                             " base64 digits (a length that no byte count encodes: truncated?)");
  }
  if (padding > 2 || (padding > 0 && (digits + padding) % 4 != 0)) {
    context.fail("Data", "expected base64 text, found " + std::to_string(padding) + " '=' padding characters after " +
                             std::to_string(digits) + " digits");
  }
  return bytes;
}

// zlib or gzip stream (windowBits 15 + 32 detects either). Stops once more than `expected`
// bytes have come out, so a lying header or a compression bomb cannot exhaust memory.
std::string inflate_bytes(const std::string& compressed, std::size_t expected, const ErrorContext& context) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 32) != Z_OK) context.fail("Data", "cannot initialise zlib");
  const std::size_t limit = expected + 1;
  std::string output;
  constexpr std::size_t kChunk = std::size_t{1} << 20;
  std::size_t consumed = 0;
  int status = Z_OK;
  std::string problem;
  while (true) {
    if (stream.avail_in == 0 && consumed < compressed.size()) {
      const std::size_t piece = std::min<std::size_t>(compressed.size() - consumed, 1u << 30);
      stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data() + consumed));
      stream.avail_in = static_cast<uInt>(piece);
      consumed += piece;
    }
    if (output.size() >= limit) break;
    const std::size_t before = output.size();
    output.resize(std::min(limit, before + kChunk));
    stream.next_out = reinterpret_cast<Bytef*>(output.data() + before);
    stream.avail_out = static_cast<uInt>(output.size() - before);
    status = inflate(&stream, Z_NO_FLUSH);
    output.resize(output.size() - stream.avail_out);
    if (status == Z_STREAM_END) break;
    if (status == Z_OK) continue;
    if (status == Z_BUF_ERROR && stream.avail_in == 0 && consumed < compressed.size()) continue;  // refill
    if (status == Z_BUF_ERROR) {
      problem = "truncated compressed data (the zlib stream ends early, after " + std::to_string(output.size()) +
                " decompressed bytes)";
    } else {
      problem = std::string("corrupt compressed data (zlib: ") + (stream.msg != nullptr ? stream.msg : "error " + std::to_string(status)) + ")";
    }
    break;
  }
  inflateEnd(&stream);
  if (!problem.empty()) context.fail("Data", "expected a zlib or gzip stream in base64, found " + problem);
  return output;
}

std::string read_external_bytes(const std::filesystem::path& gifti_path, const ptree_ns::ptree& element,
                                std::size_t expected, const ErrorContext& context) {
  const std::string name = attribute(element, "ExternalFileName").value_or("");
  if (name.empty()) {
    context.fail("ExternalFileName", "expected the name of the binary data file, found an empty or missing value");
  }
  const std::string offset_text = attribute(element, "ExternalFileOffset").value_or("");
  const std::int64_t offset = offset_text.empty() ? 0 : parse_integer(offset_text, context, "ExternalFileOffset", 0);
  const std::filesystem::path external = gifti_path.parent_path() / name;
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(external, error);
  std::ifstream stream(external, std::ios::binary);
  if (error || !stream) {
    context.fail("ExternalFileName", "cannot open " + external.string() + " (" +
                                         (error ? error.message() : std::string(std::strerror(errno))) + ")");
  }
  const auto start = static_cast<std::uintmax_t>(offset);
  if (size < start || size - start < expected) {
    context.fail("ExternalFileName", "expected " + std::to_string(expected) + " bytes at offset " +
                                         std::to_string(offset) + " of " + external.string() + ", found " +
                                         std::to_string(size < start ? 0 : size - start));
  }
  std::string bytes(expected, '\0');
  stream.seekg(static_cast<std::streamoff>(offset));
  stream.read(bytes.data(), static_cast<std::streamsize>(expected));
  if (static_cast<std::size_t>(stream.gcount()) != expected) {
    context.fail("ExternalFileName", "read error in " + external.string());
  }
  return bytes;
}

std::vector<double> decode_binary(const std::string& bytes, const DataType& type, ByteOrder order) {
  const std::size_t count = bytes.size() / static_cast<std::size_t>(type.size);
  std::vector<double> values(count);
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  for (std::size_t i = 0; i < count; ++i) {
    const unsigned char* element = data + i * static_cast<std::size_t>(type.size);
    std::uint64_t bits = 0;
    for (int b = 0; b < type.size; ++b) {
      const int shift = 8 * (order == ByteOrder::little ? b : type.size - 1 - b);
      bits |= static_cast<std::uint64_t>(element[b]) << shift;
    }
    double value = 0.0;
    if (!type.is_integer) {
      if (type.size == 4) {
        const auto bits32 = static_cast<std::uint32_t>(bits);
        float single;
        std::memcpy(&single, &bits32, 4);
        value = single;
      } else {
        std::memcpy(&value, &bits, 8);
      }
    } else if (type.is_signed) {
      const int unused = 64 - 8 * type.size;  // sign-extend
      value = static_cast<double>(static_cast<std::int64_t>(bits << unused) >> unused);
    } else {
      value = static_cast<double>(bits);
    }
    values[i] = value;
  }
  return values;
}

double parse_ascii_number(std::string_view token, const DataType& type, std::size_t position,
                          const ErrorContext& context) {
  const char* begin = token.data();
  const char* end = token.data() + token.size();
  if (begin != end && *begin == '+') ++begin;
  if (type.is_integer) {
    std::int64_t integer = 0;
    const auto [stop, error] = std::from_chars(begin, end, integer);
    double value = static_cast<double>(integer);
    if (error != std::errc() || stop != end) {
      // "3.000000" or an unsigned 64-bit value: accept any number with an integral value.
      const auto [stop_double, error_double] = std::from_chars(begin, end, value);
      if (error_double != std::errc() || stop_double != end || !std::isfinite(value) ||
          value != std::floor(value)) {
        context.fail("Data", std::string("expected an integer (") + type.name + ") at position " +
                                 std::to_string(position) + " of the ASCII data, found " + shown_text(token));
      }
    }
    if (value < type.minimum || value > type.maximum) {
      context.fail("Data", std::string("expected a value that fits ") + type.name + " at position " +
                               std::to_string(position) + " of the ASCII data, found " + shown_text(token));
    }
    return value;
  }
  double value = 0.0;
  const auto [stop, error] = std::from_chars(begin, end, value);
  if (error != std::errc() || stop != end) {
    context.fail("Data", std::string("expected a number (") + type.name + ") at position " + std::to_string(position) +
                             " of the ASCII data, found " + shown_text(token));
  }
  return type.is_float32 ? static_cast<double>(static_cast<float>(value)) : value;
}

std::vector<double> decode_ascii(std::string_view text, const DataType& type, std::size_t expected,
                                 const std::string& shape, const ErrorContext& context) {
  std::vector<double> values;
  values.reserve(std::min(expected, text.size() / 2 + 1));
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) ++i;
    if (i == text.size()) break;
    std::size_t j = i;
    while (j < text.size() && !is_space(text[j])) ++j;
    if (values.size() == expected) {
      context.fail("Data", "expected " + std::to_string(expected) + " numbers for " + shape + " " + type.name +
                               ", found more");
    }
    values.push_back(parse_ascii_number(text.substr(i, j - i), type, values.size(), context));
    i = j;
  }
  if (values.size() != expected) {
    context.fail("Data", "expected " + std::to_string(expected) + " numbers for " + shape + " " + type.name +
                             ", found " + std::to_string(values.size()));
  }
  return values;
}

// Column-major (first index fastest) to row-major (last index fastest).
std::vector<double> column_major_to_row_major(const std::vector<double>& values,
                                              const std::vector<std::int64_t>& dimensions) {
  if (dimensions.size() < 2 || values.empty()) return values;
  const std::size_t rank = dimensions.size();
  std::vector<std::int64_t> column_stride(rank, 1);
  for (std::size_t k = 1; k < rank; ++k) column_stride[k] = column_stride[k - 1] * dimensions[k - 1];
  std::vector<std::int64_t> index(rank, 0);
  std::vector<double> row_major(values.size());
  std::int64_t column_offset = 0;
  for (std::size_t r = 0; r < values.size(); ++r) {
    row_major[r] = values[static_cast<std::size_t>(column_offset)];
    for (std::size_t k = rank; k-- > 0;) {
      ++index[k];
      column_offset += column_stride[k];
      if (index[k] < dimensions[k]) break;
      column_offset -= column_stride[k] * dimensions[k];
      index[k] = 0;
    }
  }
  return row_major;
}

// The contents of <Data> elements (base64 or numbers, nearly all of a file's bytes) are lifted out
// of the XML before parsing and left as views into the file's bytes, with a placeholder in their
// place: the XML parser then copies a small skeleton instead of every byte several times.
constexpr std::string_view kLiftedDataMarker = "@visalign-lifted-data:";

struct LiftedXml {
  std::string skeleton;
  std::vector<std::string_view> data;  // views into the original bytes
};

LiftedXml lift_data_contents(std::string_view text) {
  constexpr std::string_view open = "<Data>", close = "</Data>";
  LiftedXml lifted;
  lifted.skeleton.reserve(std::min<std::size_t>(text.size(), 1 << 20));
  std::size_t position = 0;
  while (true) {
    const std::size_t start = text.find(open, position);
    if (start == std::string_view::npos) break;
    const std::size_t content = start + open.size();
    const std::size_t end = text.find(close, content);
    if (end == std::string_view::npos) break;  // malformed: the parser will say so
    const std::string_view inner = text.substr(content, end - content);
    if (inner.find('<') != std::string_view::npos || inner.find('&') != std::string_view::npos) {
      // CDATA, entities or markup inside: leave it to the XML parser.
      lifted.skeleton.append(text.substr(position, end - position));
      position = end;
      continue;
    }
    lifted.skeleton.append(text.substr(position, content - position));
    lifted.skeleton.append(kLiftedDataMarker);
    lifted.skeleton.append(std::to_string(lifted.data.size()));
    // Keep the line count so that XML errors still report the file's line numbers.
    lifted.skeleton.append(static_cast<std::size_t>(std::count(inner.begin(), inner.end(), '\n')), '\n');
    lifted.data.push_back(inner);
    position = end;
  }
  lifted.skeleton.append(text.substr(position));
  return lifted;
}

/// The text of a <Data> element: the lifted original when the element holds a placeholder.
std::string_view data_text(const std::string& element_text, const std::vector<std::string_view>& lifted) {
  if (element_text.compare(0, kLiftedDataMarker.size(), kLiftedDataMarker) == 0) {
    const std::size_t index = std::stoul(element_text.substr(kLiftedDataMarker.size()));
    if (index < lifted.size()) return lifted[index];
  }
  return element_text;
}

GiftiArray read_data_array(const ptree_ns::ptree& element, std::size_t number, const std::filesystem::path& path,
                           const std::vector<std::string_view>& lifted) {
  const ErrorContext context(path.string(), "DataArray " + std::to_string(number) + ": ");
  GiftiArray array;
  array.intent = required_attribute(element, "Intent", context, "a NIFTI intent such as NIFTI_INTENT_POINTSET");
  array.data_type = required_attribute(element, "DataType", context, "a NIFTI_TYPE_* data type");
  const DataType& type = parse_data_type(array.data_type, context);
  const Encoding encoding =
      parse_encoding(required_attribute(element, "Encoding", context, "an encoding such as GZipBase64Binary"), context);

  const std::int64_t rank = parse_integer(
      required_attribute(element, "Dimensionality", context, "the number of dimensions (1 to 6)"), context,
      "Dimensionality", 1);
  if (rank > kMaximumDimensionality) {
    context.fail("Dimensionality", "expected 1 to " + std::to_string(kMaximumDimensionality) + ", found " +
                                       std::to_string(rank));
  }
  std::int64_t count = 1;
  for (std::int64_t k = 0; k < rank; ++k) {
    const std::string field = "Dim" + std::to_string(k);
    const std::int64_t extent = parse_integer(
        required_attribute(element, field, context,
                           "the extent of dimension " + std::to_string(k) + " (Dimensionality is " +
                               std::to_string(rank) + ")"),
        context, field, 0);
    if (extent > 0 && count > kMaximumElements / extent) {
      context.fail(field, "expected at most " + std::to_string(kMaximumElements) + " elements in all, found " +
                              dimensions_text(array.dimensions) + "x" + std::to_string(extent));
    }
    count *= extent;
    array.dimensions.push_back(extent);
  }
  const auto element_count = static_cast<std::size_t>(count);
  const std::size_t byte_count = element_count * static_cast<std::size_t>(type.size);
  const std::string shape = dimensions_text(array.dimensions);
  const bool column_major = rank >= 2 && parse_column_major(element, context);

  array.metadata = read_metadata(element, context);

  const ptree_ns::ptree* data = child_or_null(element, "Data");
  if (data == nullptr && encoding != Encoding::external_file) {
    context.fail("Data", "expected a <Data> element, found none");
  }
  if (encoding == Encoding::ascii) {
    array.values = decode_ascii(data_text(data->data(), lifted), type, element_count, shape, context);
  } else {
    const ByteOrder order = type.size > 1 ? parse_byte_order(element, context) : ByteOrder::little;
    std::string bytes;
    if (encoding == Encoding::external_file) {
      bytes = read_external_bytes(path, element, byte_count, context);
    } else {
      bytes = decode_base64(data_text(data->data(), lifted), context);
      if (encoding == Encoding::gzip_base64) bytes = inflate_bytes(bytes, byte_count, context);
    }
    if (bytes.size() != byte_count) {
      const std::string found = bytes.size() > byte_count ? "more than " + std::to_string(byte_count)
                                                          : std::to_string(bytes.size());
      context.fail("Data", "expected " + std::to_string(byte_count) + " bytes for " + shape + " " + type.name +
                               ", found " + found + " after decoding");
    }
    array.values = decode_binary(bytes, type, order);
  }
  if (column_major) array.values = column_major_to_row_major(array.values, array.dimensions);
  return array;
}

// ---------------------------------------------------------------------------------------------
// Maps.

// "lh.curv.shape.gii.gz" -> "lh.curv".
std::string file_stem(const std::filesystem::path& path) {
  std::string name = path.filename().string();
  auto strip = [&name](std::string_view suffix) {
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      name.resize(name.size() - suffix.size());
      return true;
    }
    return false;
  };
  strip(".gz");
  strip(".gii");
  for (const char* kind : {".shape", ".func", ".label", ".time", ".surf"}) {
    if (strip(kind)) break;
  }
  return name;
}

bool ends_with(const std::string& text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// ---------------------------------------------------------------------------------------------
// Writing.

void append_little_endian(std::string& out, std::uint32_t bits) {
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>((bits >> shift) & 0xff));
}


std::string deflate_bytes(std::string_view bytes, const std::filesystem::path& path) {
  uLongf size = compressBound(static_cast<uLong>(bytes.size()));
  std::string compressed(size, '\0');
  const int status = compress2(reinterpret_cast<Bytef*>(compressed.data()), &size,
                               reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uLong>(bytes.size()), 6);
  if (status != Z_OK) {
    throw std::runtime_error(path.string() + ": zlib compression failed (error " + std::to_string(status) + ")");
  }
  compressed.resize(size);
  return compressed;
}

void append_cdata(std::string& out, const std::string& text) {
  // "]]>" cannot appear inside CDATA: close the section between "]]" and ">".
  out += "<![CDATA[";
  std::size_t start = 0;
  for (std::size_t found = text.find("]]>"); found != std::string::npos; found = text.find("]]>", start)) {
    out.append(text, start, found + 2 - start);
    out += "]]><![CDATA[";
    start = found + 2;
  }
  out.append(text, start, std::string::npos);
  out += "]]>";
}

using MetadataList = std::vector<std::pair<std::string, std::string>>;

void append_metadata(std::string& out, const MetadataList& metadata, const std::string& indent) {
  if (metadata.empty()) {
    out += indent + "<MetaData/>\n";
    return;
  }
  out += indent + "<MetaData>\n";
  for (const auto& [name, value] : metadata) {
    out += indent + "   <MD>\n" + indent + "      <Name>";
    append_cdata(out, name);
    out += "</Name>\n" + indent + "      <Value>";
    append_cdata(out, value);
    out += "</Value>\n" + indent + "   </MD>\n";
  }
  out += indent + "</MetaData>\n";
}

// One DataArray, GZipBase64Binary, little-endian, row-major. `raw` holds the elements as
// little-endian bytes in row-major order.
void append_data_array(std::string& out, const std::string& intent, const std::string& data_type,
                       const std::vector<std::int64_t>& dimensions, const MetadataList& metadata,
                       bool with_identity_transform, std::string_view raw, const std::filesystem::path& path) {
  out += "   <DataArray Intent=\"" + intent + "\"\n";
  out += "              DataType=\"" + data_type + "\"\n";
  out += "              ArrayIndexingOrder=\"RowMajorOrder\"\n";
  out += "              Dimensionality=\"" + std::to_string(dimensions.size()) + "\"\n";
  for (std::size_t k = 0; k < dimensions.size(); ++k) {
    out += "              Dim" + std::to_string(k) + "=\"" + std::to_string(dimensions[k]) + "\"\n";
  }
  out += "              Encoding=\"GZipBase64Binary\"\n";
  out += "              Endian=\"LittleEndian\"\n";
  out += "              ExternalFileName=\"\"\n";
  out += "              ExternalFileOffset=\"0\">\n";
  append_metadata(out, metadata, "      ");
  if (with_identity_transform) {
    out += "      <CoordinateSystemTransformMatrix>\n";
    out += "         <DataSpace><![CDATA[NIFTI_XFORM_UNKNOWN]]></DataSpace>\n";
    out += "         <TransformedSpace><![CDATA[NIFTI_XFORM_UNKNOWN]]></TransformedSpace>\n";
    out += "         <MatrixData>\n";
    for (int row = 0; row < 4; ++row) {
      out += "            ";
      for (int column = 0; column < 4; ++column) out += row == column ? "1.000000 " : "0.000000 ";
      out += "\n";
    }
    out += "         </MatrixData>\n";
    out += "      </CoordinateSystemTransformMatrix>\n";
  }
  out += "      <Data>";
  out += encode_base64(deflate_bytes(raw, path));
  out += "</Data>\n";
  out += "   </DataArray>\n";
}

std::string document_start(std::size_t array_count) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += kDoctype;
  out += "\n<GIFTI Version=\"1.0\" NumberOfDataArrays=\"" + std::to_string(array_count) + "\">\n";
  out += "   <MetaData/>\n";
  out += "   <LabelTable/>\n";
  return out;
}

}  // namespace

// -------------------------------------------------------------------------------------------------

bool looks_like_gifti(const std::vector<char>& bytes) {
  std::size_t i = 0;
  if (bytes.size() >= 3 && static_cast<unsigned char>(bytes[0]) == 0xEF &&
      static_cast<unsigned char>(bytes[1]) == 0xBB && static_cast<unsigned char>(bytes[2]) == 0xBF) {
    i = 3;
  }
  while (i < bytes.size() && is_space(bytes[i])) ++i;
  const std::string_view rest(bytes.data() + i, bytes.size() - i);
  return rest.substr(0, 5) == "<?xml" || rest.substr(0, 6) == "<GIFTI";
}

GiftiFile read_gifti(const std::filesystem::path& path) {
  const std::string file = path.string();
  const ErrorContext file_context(file, "");
  const std::vector<char> bytes = read_file_bytes(path);
  if (!looks_like_gifti(bytes)) {
    file_context.fail("start of file", "expected an XML document (<?xml or <GIFTI), found " +
                                           (bytes.empty() ? std::string("an empty file")
                                                          : shown_text(std::string_view(bytes.data(), bytes.size()))));
  }

  if (element_nesting(std::string_view(bytes.data(), bytes.size())) > kMaximumNesting) {
    file_context.fail("XML", "expected elements nested at most " + std::to_string(kMaximumNesting) +
                                 " deep (GIFTI needs 5), found deeper nesting");
  }
  const LiftedXml lifted = lift_data_contents(std::string_view(bytes.data(), bytes.size()));
  ptree_ns::ptree document;
  try {
    std::istringstream stream(lifted.skeleton);
    ptree_ns::read_xml(stream, document, ptree_ns::xml_parser::no_comments);
  } catch (const ptree_ns::xml_parser_error& error) {
    file_context.fail("XML", "expected well-formed XML, found an error at line " + std::to_string(error.line()) +
                                 " (" + error.message() + ")");
  }

  const ptree_ns::ptree* root = child_or_null(document, "GIFTI");
  if (root == nullptr) {
    const std::string found = document.empty() ? std::string("none") : "<" + document.front().first + ">";
    file_context.fail("XML", "expected a <GIFTI> root element, found " + found);
  }

  GiftiFile gifti;
  gifti.metadata = read_metadata(*root, file_context);
  gifti.labels = read_label_table(*root, file_context);
  for (const auto& [key, element] : *root) {
    if (key != "DataArray") continue;
    gifti.arrays.push_back(read_data_array(element, gifti.arrays.size(), path, lifted.data));
  }
  if (const std::optional<std::string> declared = attribute(*root, "NumberOfDataArrays")) {
    const std::int64_t number = parse_integer(*declared, file_context, "NumberOfDataArrays", 0);
    if (static_cast<std::size_t>(number) != gifti.arrays.size()) {
      file_context.fail("NumberOfDataArrays", "expected " + std::to_string(number) + " <DataArray> elements, found " +
                                                  std::to_string(gifti.arrays.size()));
    }
  }
  return gifti;
}

Mesh read_gifti_surface(const std::filesystem::path& path) {
  const std::string file = path.string();
  const GiftiFile gifti = read_gifti(path);
  auto find = [&](const std::string& intent) -> std::size_t {
    for (std::size_t i = 0; i < gifti.arrays.size(); ++i) {
      if (gifti.arrays[i].intent == intent) return i;
    }
    std::string intents;
    for (const GiftiArray& array : gifti.arrays) intents += (intents.empty() ? "" : ", ") + array.intent;
    throw FormatError(file, "expected a " + intent + " data array, found " +
                                (intents.empty() ? std::string("no data arrays") : "only " + intents));
  };
  const std::size_t points_index = find("NIFTI_INTENT_POINTSET");
  const std::size_t triangles_index = find("NIFTI_INTENT_TRIANGLE");
  const GiftiArray& points = gifti.arrays[points_index];
  const GiftiArray& triangles = gifti.arrays[triangles_index];
  const ErrorContext points_context(file, "DataArray " + std::to_string(points_index) + ": ");
  const ErrorContext triangles_context(file, "DataArray " + std::to_string(triangles_index) + ": ");
  constexpr std::int64_t kMaximumVertices = std::numeric_limits<std::int32_t>::max();
  if (points.dimensions.size() != 2 || points.dimensions[1] != 3 || points.dimensions[0] > kMaximumVertices) {
    points_context.fail("Dim", "expected NIFTI_INTENT_POINTSET to be #V by 3, found " +
                                   dimensions_text(points.dimensions));
  }
  if (triangles.dimensions.size() != 2 || triangles.dimensions[1] != 3 ||
      triangles.dimensions[0] > kMaximumVertices) {
    triangles_context.fail("Dim", "expected NIFTI_INTENT_TRIANGLE to be #F by 3, found " +
                                      dimensions_text(triangles.dimensions));
  }

  Mesh mesh;
  mesh.vertices.resize(static_cast<Eigen::Index>(points.dimensions[0]), 3);
  for (std::size_t i = 0; i < points.values.size(); ++i) mesh.vertices.data()[i] = static_cast<float>(points.values[i]);
  mesh.faces.resize(static_cast<Eigen::Index>(triangles.dimensions[0]), 3);
  for (std::size_t i = 0; i < triangles.values.size(); ++i) {
    const double value = triangles.values[i];
    if (!(value == std::floor(value) && value >= std::numeric_limits<std::int32_t>::min() &&
          value <= std::numeric_limits<std::int32_t>::max())) {
      std::ostringstream found;
      found << value;
      triangles_context.fail("Data", "expected integer vertex indices, found " + found.str() + " in face " +
                                         std::to_string(i / 3));
    }
    mesh.faces.data()[i] = static_cast<std::int32_t>(value);
  }
  validate_mesh(mesh, file);
  return mesh;
}

std::vector<SurfaceMap> read_gifti_maps(const std::filesystem::path& path) {
  const std::string file = path.string();
  const GiftiFile gifti = read_gifti(path);
  const std::string stem = file_stem(path);
  std::vector<SurfaceMap> maps;
  std::size_t first_array = 0;
  for (std::size_t i = 0; i < gifti.arrays.size(); ++i) {
    const GiftiArray& array = gifti.arrays[i];
    if (array.intent == "NIFTI_INTENT_POINTSET" || array.intent == "NIFTI_INTENT_TRIANGLE") continue;
    const ErrorContext context(file, "DataArray " + std::to_string(i) + ": ");
    if (array.dimensions.size() > 2) {
      context.fail("Dim", "expected a per-vertex map (#V, or #V by K), found " + dimensions_text(array.dimensions));
    }
    const auto length = static_cast<Eigen::Index>(array.dimensions[0]);
    const std::int64_t columns = array.dimensions.size() == 2 ? array.dimensions[1] : 1;
    if (!maps.empty() && maps.front().values.size() != length) {
      context.fail("Dim0", "expected " + std::to_string(maps.front().values.size()) +
                               " values per map (as in DataArray " + std::to_string(first_array) + "), found " +
                               std::to_string(length));
    }
    if (maps.empty()) first_array = i;
    const auto name = array.metadata.find("Name");
    const auto units = array.metadata.find("Units");
    const bool named = name != array.metadata.end() && !name->second.empty();
    for (std::int64_t k = 0; k < columns; ++k) {
      SurfaceMap map;
      if (named) {
        map.name = columns == 1 ? name->second : name->second + "[" + std::to_string(k) + "]";
      } else {
        map.name = stem + "[" + std::to_string(maps.size()) + "]";
      }
      if (units != array.metadata.end()) map.units = units->second;
      map.values.resize(length);
      for (Eigen::Index v = 0; v < length; ++v) {
        map.values[v] = static_cast<float>(array.values[static_cast<std::size_t>(v * columns + k)]);
      }
      maps.push_back(std::move(map));
    }
  }
  if (maps.empty()) {
    throw FormatError(file, "expected at least one per-vertex data array (an intent other than "
                            "NIFTI_INTENT_POINTSET and NIFTI_INTENT_TRIANGLE), found none");
  }
  return maps;
}

void write_gifti_surface(const Mesh& mesh, const std::filesystem::path& path,
                         const std::string& anatomical_structure) {
  try {
    validate_mesh(mesh, path.string());
  } catch (const FormatError& error) {
    throw std::invalid_argument(std::string("cannot write an invalid mesh: ") + error.what());
  }
  const Eigen::Index vertex_count = mesh.vertex_count();
  std::string points;
  points.reserve(static_cast<std::size_t>(vertex_count) * 12);
  for (Eigen::Index v = 0; v < vertex_count; ++v) {
    for (int axis = 0; axis < 3; ++axis) {
      float value = mesh.vertices(v, axis);
      // A patch may leave excluded vertices without coordinates (NaN); GIFTI has no exclusion
      // flags and readers reject non-finite coordinates, so those are written as 0.
      if (mesh.is_excluded(v) && !std::isfinite(value)) value = 0.0f;
      std::uint32_t bits;
      std::memcpy(&bits, &value, 4);
      append_little_endian(points, bits);
    }
  }
  std::string triangles;
  triangles.reserve(static_cast<std::size_t>(mesh.face_count()) * 12);
  for (Eigen::Index f = 0; f < mesh.face_count(); ++f) {
    for (int corner = 0; corner < 3; ++corner) append_little_endian(triangles, static_cast<std::uint32_t>(mesh.faces(f, corner)));
  }

  MetadataList point_metadata;
  if (!anatomical_structure.empty()) point_metadata.emplace_back("AnatomicalStructurePrimary", anatomical_structure);
  std::string xml = document_start(2);
  append_data_array(xml, "NIFTI_INTENT_POINTSET", "NIFTI_TYPE_FLOAT32", {vertex_count, 3}, point_metadata, true,
                    points, path);
  append_data_array(xml, "NIFTI_INTENT_TRIANGLE", "NIFTI_TYPE_INT32", {mesh.face_count(), 3}, {}, false, triangles,
                    path);
  xml += "</GIFTI>\n";
  write_bytes_atomically(path, xml, has_gzip_extension(path));
}

void write_gifti_maps(const std::vector<SurfaceMap>& maps, const std::filesystem::path& path) {
  if (maps.empty()) throw std::invalid_argument(path.string() + ": no maps to write");
  for (std::size_t m = 1; m < maps.size(); ++m) {
    if (maps[m].values.size() != maps[0].values.size()) {
      throw std::invalid_argument(path.string() + ": every map must have the same length: map " + std::to_string(m) +
                                  " (\"" + maps[m].name + "\") has " + std::to_string(maps[m].values.size()) +
                                  " values, map 0 (\"" + maps[0].name + "\") has " +
                                  std::to_string(maps[0].values.size()));
    }
  }
  const std::string name = path.filename().string();
  const std::string intent = ends_with(name, ".shape.gii") || ends_with(name, ".shape.gii.gz")
                                 ? "NIFTI_INTENT_SHAPE"
                                 : "NIFTI_INTENT_NONE";
  std::string xml = document_start(maps.size());
  for (const SurfaceMap& map : maps) {
    std::string raw;
    raw.reserve(static_cast<std::size_t>(map.values.size()) * 4);
    for (Eigen::Index v = 0; v < map.values.size(); ++v) {
      const float value = map.values[v];
      std::uint32_t bits;
      std::memcpy(&bits, &value, 4);
      append_little_endian(raw, bits);
    }
    MetadataList metadata;
    if (!map.name.empty()) metadata.emplace_back("Name", map.name);
    if (!map.units.empty()) metadata.emplace_back("Units", map.units);
    append_data_array(xml, intent, "NIFTI_TYPE_FLOAT32", {static_cast<std::int64_t>(map.values.size())}, metadata,
                      false, raw, path);
  }
  xml += "</GIFTI>\n";
  write_bytes_atomically(path, xml, has_gzip_extension(path));
}

}  // namespace visalign::surface
