// NumPy .npy reading and writing against files numpy wrote (tests/fixtures/npy/, values in
// tests/fixtures/fmri_format_fixtures.json, both made by make_fmri_format_fixtures.py), and bad files.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "fmri/npy.hpp"
#include "surface/format_error.hpp"
#include "tests/fixture_json.hpp"
#include "surface/file_bytes.hpp"
#include "tests/format_error_expectation.hpp"
#include "tests/scratch_directory.hpp"

namespace visalign::fmri {
namespace {

namespace fs = std::filesystem;
using visalign::testing::format_error_of;
using visalign::surface::host_is_little_endian;
using nlohmann::json;
using visalign::testing::ScratchDirectory;

const json& fixtures() {
  static const json fixture = visalign::testing::read_fixture_json("fmri_format_fixtures.json");
  return fixture;
}

fs::path npy_fixture(const std::string& name) { return fs::path(VISALIGN_FIXTURES_DIR) / "npy" / (name + ".npy"); }

/// value(r, c) = r * 0.1 + c * 1.7 - 2.0, as the fixture script computes it for np.save.
Eigen::MatrixXd numpy_save_matrix(Eigen::Index rows, Eigen::Index cols) {
  Eigen::MatrixXd matrix(rows, cols);
  for (Eigen::Index r = 0; r < rows; ++r) {
    for (Eigen::Index c = 0; c < cols; ++c) matrix(r, c) = static_cast<double>(r) * 0.1 + static_cast<double>(c) * 1.7 - 2.0;
  }
  return matrix;
}

TEST(Npy, NumpyFilesMatchFixtures) {
  int checked = 0;
  for (const auto& [name, expected] : fixtures().at("npy").items()) {
    SCOPED_TRACE(name);
    const NpyArray array = read_npy(npy_fixture(name));
    EXPECT_EQ(array.dtype, expected.at("dtype").get<std::string>());
    EXPECT_EQ(array.fortran_order, expected.at("fortran_order").get<bool>());
    EXPECT_EQ(array.shape, expected.at("shape").get<std::vector<std::int64_t>>());
    const auto values = expected.at("values").get<std::vector<double>>();
    ASSERT_EQ(array.values.size(), values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
      EXPECT_EQ(array.values[i], values[i]) << "value " << i;
      EXPECT_EQ(std::signbit(array.values[i]), std::signbit(values[i])) << "value " << i;
    }
    ++checked;
  }
  EXPECT_EQ(checked, 18);
}

TEST(Npy, MatricesFromTwoAndOneDimensionalArrays) {
  const NpyArray fortran = read_npy(npy_fixture("f8_fortran_4x3"));
  const Eigen::MatrixXd matrix = npy_matrix(fortran, "f8_fortran_4x3");
  ASSERT_EQ(matrix.rows(), 4);
  ASSERT_EQ(matrix.cols(), 3);
  for (Eigen::Index r = 0; r < 4; ++r) {
    for (Eigen::Index c = 0; c < 3; ++c) EXPECT_EQ(matrix(r, c), static_cast<double>(r * 3 + c) / 7.0 - 1.0);
  }
  const Eigen::MatrixXd column = npy_matrix(read_npy(npy_fixture("i8_1d")), "i8_1d");
  EXPECT_EQ(column.rows(), 7);
  EXPECT_EQ(column.cols(), 1);
  EXPECT_EQ(column(3, 0), -1099511627776.0);
  EXPECT_EQ(npy_matrix(read_npy(npy_fixture("empty_f4_0x3")), "empty").cols(), 3);

  const fs::path three_d = npy_fixture("f4_3d_2x3x4");
  const std::string message = format_error_of([&] { npy_matrix(read_npy(three_d), three_d.string()); }, three_d);
  EXPECT_NE(message.find("shape: expected a 2-D array (rows, columns) or a 1-D array (read as one column), found (2, 3, 4)"),
            std::string::npos)
      << message;
  const fs::path scalar = npy_fixture("scalar_f8");
  EXPECT_NE(format_error_of([&] { npy_matrix(read_npy(scalar), scalar.string()); }, scalar).find("found ()"),
            std::string::npos);
}

TEST(Npy, WrittenFilesAreByteForByteWhatNumpyWrites) {
  ScratchDirectory scratch;
  int checked = 0;
  for (const auto& [name, expected] : fixtures().at("npy_written_by_numpy").items()) {
    SCOPED_TRACE(name);
    const Eigen::MatrixXd matrix = numpy_save_matrix(expected.at("rows").get<Eigen::Index>(), expected.at("cols").get<Eigen::Index>());
    const bool float64 = expected.at("float64").get<bool>();
    write_npy(matrix, scratch / (name + ".npy"), float64);
    EXPECT_EQ(visalign::testing::read_bytes(scratch / (name + ".npy")), visalign::testing::read_bytes(npy_fixture(name)));
    const Eigen::MatrixXd back = npy_matrix(read_npy(scratch / (name + ".npy")), name);
    EXPECT_EQ(back, float64 ? matrix : Eigen::MatrixXd(matrix.cast<float>().cast<double>()));
    if (!float64) {  // the float overload writes the same bytes
      write_float_npy(matrix.cast<float>(), scratch / (name + "_from_float.npy"));
      EXPECT_EQ(visalign::testing::read_bytes(scratch / (name + "_from_float.npy")), visalign::testing::read_bytes(npy_fixture(name)));
    }
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

TEST(Npy, RoundTripShapesAndHeaderAlignment) {
  ScratchDirectory scratch;
  for (const auto& [rows, cols] : std::vector<std::pair<Eigen::Index, Eigen::Index>>{{1, 1}, {92, 92}, {0, 5}, {123456, 2}}) {
    SCOPED_TRACE(std::to_string(rows) + " x " + std::to_string(cols));
    const Eigen::MatrixXd matrix = Eigen::MatrixXd::Random(rows, cols);
    write_npy(matrix, scratch / "m.npy", true);
    const std::vector<char> bytes = visalign::testing::read_bytes(scratch / "m.npy");
    const std::size_t header_length = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    EXPECT_EQ((10 + header_length) % 64, 0u);
    EXPECT_EQ(bytes[9 + header_length], '\n');
    const NpyArray array = read_npy(scratch / "m.npy");
    EXPECT_EQ(array.dtype, "<f8");
    EXPECT_FALSE(array.fortran_order);
    EXPECT_EQ(array.shape, (std::vector<std::int64_t>{rows, cols}));
    EXPECT_EQ(npy_matrix(array, "m.npy"), matrix);
  }
  EXPECT_EQ(scratch.entries(), std::vector<std::string>{"m.npy"}) << "no temporary files left behind";
}

TEST(Npy, RefusedDtypesNameTheFileAndDtype) {
  int checked = 0;
  for (const auto& [name, dtype] : fixtures().at("npy_refused").items()) {
    SCOPED_TRACE(name);
    const fs::path path = npy_fixture(name);
    const std::string message = format_error_of([&] { read_npy(path); }, path);
    EXPECT_NE(message.find(": descr: "), std::string::npos) << message;
    ++checked;
  }
  EXPECT_EQ(checked, 4);
  const fs::path object = npy_fixture("object_3");
  EXPECT_NE(format_error_of([&] { read_npy(object); }, object).find("'|O', an object array"), std::string::npos);
  const fs::path unicode = npy_fixture("unicode_2");
  EXPECT_NE(format_error_of([&] { read_npy(unicode); }, unicode).find("found '<U2' (unicode strings)"), std::string::npos);
  const fs::path structured = npy_fixture("structured_2");
  EXPECT_NE(format_error_of([&] { read_npy(structured); }, structured).find("structured dtype [("), std::string::npos);
}

/// A .npy file with the given header dict (padded as numpy does) and data bytes.
std::vector<char> npy_bytes(const std::string& dict, const std::string& data, char major = 1) {
  std::string header = dict;
  const std::size_t prefix = major == 1 ? 10 : 12;
  header.append(64 - (prefix + header.size() + 1) % 64, ' ');
  header.push_back('\n');
  std::string out = std::string("\x93NUMPY", 6) + major + '\0';
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>(header.size() >> 8));
  if (major != 1) out.append(2, '\0');
  out += header + data;
  return {out.begin(), out.end()};
}

TEST(Npy, DamagedFilesNameTheFileAndField) {
  ScratchDirectory scratch;
  auto message_for = [&scratch](const std::string& name, const std::vector<char>& bytes) {
    visalign::testing::write_bytes(scratch / name, bytes);
    return format_error_of([&] { read_npy(scratch / name); }, scratch / name);
  };
  const std::vector<char> good = visalign::testing::read_bytes(npy_fixture("f4_c_3x4"));

  EXPECT_NE(message_for("truncated.npy", std::vector<char>(good.begin(), good.end() - 3))
                .find("truncated in data: expected 48 bytes of '<f4' (3, 4) at offset 128, found 45"),
            std::string::npos);
  EXPECT_NE(message_for("short_header.npy", std::vector<char>(good.begin(), good.begin() + 60))
                .find("truncated in header: expected 118 bytes at offset 10, found 50"),
            std::string::npos);
  EXPECT_NE(message_for("tiny.npy", std::vector<char>(good.begin(), good.begin() + 4)).find("magic: expected"),
            std::string::npos);
  std::vector<char> copy = good;
  copy[1] = 'X';
  EXPECT_NE(message_for("magic.npy", copy).find("magic: expected \"\\x93NUMPY\" (a NumPy .npy file), found \"\\x93XUMPY\""),
            std::string::npos);
  copy = good;
  copy[6] = 4;
  EXPECT_NE(message_for("version.npy", copy).find("version: expected 1.0, 2.0 or 3.0, found 4.0"), std::string::npos);

  const std::string data(48, '\0');
  EXPECT_NE(message_for("no_shape.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, }", data))
                .find("header: expected the key 'shape', found none"),
            std::string::npos);
  EXPECT_NE(message_for("garbage.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4) ", data))
                .find("header: expected ',' or '}'"),
            std::string::npos);
  EXPECT_NE(message_for("not_dict.npy", npy_bytes("[1, 2]", data)).find("header: expected '{'"), std::string::npos);
  EXPECT_NE(message_for("order.npy", npy_bytes("{'descr': '<f4', 'fortran_order': 1, 'shape': (3, 4), }", data))
                .find("fortran_order: expected True or False, found 1"),
            std::string::npos);
  EXPECT_NE(message_for("negative.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3, -4), }", data))
                .find("shape: expected non-negative integer sizes, found (3, -4)"),
            std::string::npos);
  EXPECT_NE(message_for("extra.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), 'x': 1, }", data))
                .find("found 'x'"),
            std::string::npos);
  EXPECT_NE(message_for("object.npy", npy_bytes("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", data))
                .find("descr: found '|O', an object array"),
            std::string::npos);
  EXPECT_NE(message_for("long_double.npy", npy_bytes("{'descr': '<f16', 'fortran_order': False, 'shape': (2,), }", data))
                .find("found '<f16'"),
            std::string::npos);
  EXPECT_NE(message_for("huge.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }", data))
                .find("truncated in data"),
            std::string::npos);

  // Well-formed variants numpy accepts: version 2.0, double quotes, Python 2 longs, no trailing comma.
  visalign::testing::write_bytes(scratch / "variants.npy",
                                 npy_bytes("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (3L, 4L)}", data, 2));
  const NpyArray variants = read_npy(scratch / "variants.npy");
  EXPECT_EQ(variants.shape, (std::vector<std::int64_t>{3, 4}));
  EXPECT_EQ(variants.values, std::vector<double>(12, 0.0));
}

}  // namespace
}  // namespace visalign::fmri
