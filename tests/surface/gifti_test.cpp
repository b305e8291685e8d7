// GIFTI reading and writing: agreement with nibabel on real files (tests/fixtures/reader_fixtures.json,
// made by tests/fixtures/make_reader_fixtures.py), exact round trips, every encoding, and
// malformed input that must end in a FormatError naming the file.

#include "surface/gifti.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <string>
#include <vector>


#include "surface/file_bytes.hpp"
#include "surface/format_error.hpp"
#include "surface/mesh.hpp"
#include "tests/fixture_json.hpp"
#include "tests/scratch_directory.hpp"
#include "tests/test_data.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using visalign::surface::FormatError;
using visalign::surface::GiftiFile;
using visalign::surface::Mesh;
using visalign::surface::SurfaceMap;
using visalign::testing::hex64;
using visalign::testing::shared_data;

const char* const kNibabelDirectory = "/usr/lib/python3/dist-packages/nibabel";

// The checksums below hash the in-memory float32/int32/float64 bytes as little-endian.
using visalign::surface::host_is_little_endian;

const json& reader_fixtures() {
  static const json fixtures = visalign::testing::read_fixture_json("reader_fixtures.json");
  return fixtures;
}

bool is_gifti_name(const std::string& name) {
  auto ends_with = [&name](const std::string& suffix) {
    return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends_with(".gii") || ends_with(".gii.gz");
}

// A scratch folder per test, removed afterwards.
class GiftiFiles : public ::testing::Test {
 protected:
  fs::path file(const std::string& name) const { return scratch_ / name; }

  fs::path write_text(const std::string& name, const std::string& text) const {
    const fs::path path = file(name);
    std::ofstream stream(path, std::ios::binary);
    stream << text;
    return path;
  }

  std::vector<std::string> directory_listing() const { return scratch_.entries(); }

  visalign::testing::ScratchDirectory scratch_;
};

// A small closed surface: an octahedron with awkward coordinates.
Mesh octahedron() {
  Mesh mesh;
  mesh.vertices.resize(6, 3);
  mesh.vertices << 1.0f, 0.0f, 0.0f,  //
      -1.25e-7f, 3.5f, 0.0f,          //
      -1.0f, 0.1f, 1e-38f,            //
      0.0f, -2.75f, 1234567.9f,       //
      0.333333f, 0.0f, 1.0f,          //
      0.0f, -0.0f, -1.0f;
  mesh.faces.resize(8, 3);
  mesh.faces << 0, 1, 4,  //
      1, 2, 4,            //
      2, 3, 4,            //
      3, 0, 4,            //
      1, 0, 5,            //
      2, 1, 5,            //
      3, 2, 5,            //
      0, 3, 5;
  return mesh;
}

void expect_bitwise_equal(const Mesh& expected, const Mesh& actual) {
  ASSERT_EQ(expected.vertex_count(), actual.vertex_count());
  ASSERT_EQ(expected.face_count(), actual.face_count());
  EXPECT_EQ(0, std::memcmp(expected.vertices.data(), actual.vertices.data(),
                           sizeof(float) * static_cast<std::size_t>(expected.vertices.size())));
  EXPECT_TRUE(expected.faces == actual.faces);
}

bool starts_with_gzip_magic(const fs::path& path) {
  std::ifstream stream(path, std::ios::binary);
  unsigned char magic[2] = {0, 0};
  stream.read(reinterpret_cast<char*>(magic), 2);
  return magic[0] == 0x1f && magic[1] == 0x8b;
}

std::string read_text(const fs::path& path) {
  std::ifstream stream(path, std::ios::binary);
  std::ostringstream text;
  text << stream.rdbuf();
  return text.str();
}

// Runs `action`, which must throw a FormatError whose message names `path` and contains `fragment`.
void expect_format_error(const std::function<void()>& action, const fs::path& path, const std::string& fragment) {
  try {
    action();
    ADD_FAILURE() << "expected a FormatError for " << path;
  } catch (const FormatError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(path.filename().string()), std::string::npos) << message;
    EXPECT_NE(message.find(fragment), std::string::npos) << "expected \"" << fragment << "\" in: " << message;
  } catch (const std::exception& error) {
    ADD_FAILURE() << "expected a FormatError for " << path << ", got another exception: " << error.what();
  }
}

// GIFTI documents assembled by hand for the encoding and error tests.
struct ArraySpec {
  std::string intent = "NIFTI_INTENT_NONE";
  std::string data_type = "NIFTI_TYPE_FLOAT32";
  std::vector<std::string> dims = {"3"};
  std::string encoding = "ASCII";
  std::string endian = "LittleEndian";
  std::string order = "RowMajorOrder";
  std::string data;
  std::string extra_attributes;
  std::string metadata;  // MD elements
};

std::string array_xml(const ArraySpec& spec) {
  std::string xml = "<DataArray Intent=\"" + spec.intent + "\" DataType=\"" + spec.data_type +
                    "\" ArrayIndexingOrder=\"" + spec.order + "\" Dimensionality=\"" +
                    std::to_string(spec.dims.size()) + "\"";
  for (std::size_t k = 0; k < spec.dims.size(); ++k) xml += " Dim" + std::to_string(k) + "=\"" + spec.dims[k] + "\"";
  xml += " Encoding=\"" + spec.encoding + "\" Endian=\"" + spec.endian + "\" " + spec.extra_attributes + ">\n";
  xml += "<MetaData>" + spec.metadata + "</MetaData>\n";
  xml += "<Data>" + spec.data + "</Data>\n</DataArray>\n";
  return xml;
}

std::string gifti_xml(const std::vector<ArraySpec>& arrays, const std::string& file_metadata = "") {
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<!DOCTYPE GIFTI SYSTEM \"http://www.nitrc.org/frs/download.php/115/gifti.dtd\">\n"
      "<GIFTI Version=\"1.0\" NumberOfDataArrays=\"" +
      std::to_string(arrays.size()) + "\">\n<MetaData>" + file_metadata + "</MetaData>\n<LabelTable/>\n";
  for (const ArraySpec& spec : arrays) xml += array_xml(spec);
  return xml + "</GIFTI>\n";
}

std::string md(const std::string& name, const std::string& value) {
  return "<MD><Name><![CDATA[" + name + "]]></Name><Value><![CDATA[" + value + "]]></Value></MD>";
}

std::string base64(const std::string& bytes) {
  static const char* const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string text;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned group = (static_cast<unsigned char>(bytes[i]) << 16) |
                           (static_cast<unsigned char>(bytes[i + 1]) << 8) | static_cast<unsigned char>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) text.push_back(alphabet[(group >> shift) & 63]);
  }
  if (i < bytes.size()) {
    unsigned group = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) group |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    text.push_back(alphabet[(group >> 18) & 63]);
    text.push_back(alphabet[(group >> 12) & 63]);
    text.push_back(i + 1 < bytes.size() ? alphabet[(group >> 6) & 63] : '=');
    text.push_back('=');
  }
  return text;
}

// windowBits 15: zlib wrapper; 31: gzip wrapper.
std::string compress(const std::string& bytes, int window_bits) {
  z_stream stream{};
  EXPECT_EQ(Z_OK, deflateInit2(&stream, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY));
  std::string output(deflateBound(&stream, bytes.size()) + 64, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  stream.next_out = reinterpret_cast<Bytef*>(output.data());
  stream.avail_out = static_cast<uInt>(output.size());
  EXPECT_EQ(Z_STREAM_END, deflate(&stream, Z_FINISH));
  output.resize(stream.total_out);
  deflateEnd(&stream);
  return output;
}

template <typename T>
std::string raw_bytes(const std::vector<T>& values, bool big_endian) {
  std::string bytes;
  for (const T& value : values) {
    char element[sizeof(T)];
    std::memcpy(element, &value, sizeof(T));  // host order: little-endian (checked by the tests)
    if (big_endian) std::reverse(element, element + sizeof(T));
    bytes.append(element, sizeof(T));
  }
  return bytes;
}

std::string float32_bytes(const std::vector<float>& values) { return raw_bytes(values, false); }

// -------------------------------------------------------------------------------------------------
// (a) Agreement with nibabel on real files.

TEST(GiftiAgainstNibabel, SharedSurfacesMatchFixtures) {
  ASSERT_TRUE(host_is_little_endian());
  const json& surfaces = reader_fixtures().at("surfaces");
  int checked = 0;
  for (const auto& [relative, expected] : surfaces.items()) {
    if (!is_gifti_name(relative)) continue;
    const fs::path path = shared_data(relative);
    VISALIGN_REQUIRE_FILE(path);
    SCOPED_TRACE(relative);
    const Mesh mesh = visalign::surface::read_gifti_surface(path);
    ASSERT_EQ(expected.at("vertex_count").get<long>(), mesh.vertex_count());
    ASSERT_EQ(expected.at("face_count").get<long>(), mesh.face_count());
    EXPECT_EQ(expected.at("vertices_fnv1a64").get<std::string>(),
              hex64(visalign::surface::fnv1a64(mesh.vertices.data(), sizeof(float) * mesh.vertices.size())));
    EXPECT_EQ(expected.at("faces_fnv1a64").get<std::string>(),
              hex64(visalign::surface::fnv1a64(mesh.faces.data(), sizeof(std::int32_t) * mesh.faces.size())));
    const Eigen::Index last_vertex = mesh.vertex_count() - 1;
    const Eigen::Index last_face = mesh.face_count() - 1;
    for (int axis = 0; axis < 3; ++axis) {
      EXPECT_EQ(expected.at("first_vertex")[axis].get<double>(), mesh.vertices(0, axis));
      EXPECT_EQ(expected.at("last_vertex")[axis].get<double>(), mesh.vertices(last_vertex, axis));
      EXPECT_EQ(expected.at("first_face")[axis].get<int>(), mesh.faces(0, axis));
      EXPECT_EQ(expected.at("last_face")[axis].get<int>(), mesh.faces(last_face, axis));
    }
    ++checked;
  }
  EXPECT_EQ(12, checked) << "fsaverage5 (10) and conte69 (2) GIFTI surfaces in the fixtures";
}

TEST(GiftiAgainstNibabel, SharedShapeMapsMatchFixtures) {
  ASSERT_TRUE(host_is_little_endian());
  const json& maps = reader_fixtures().at("maps");
  int checked = 0;
  for (const auto& [key, expected] : maps.items()) {
    const std::size_t hash_sign = key.find('#');
    const std::string relative = key.substr(0, hash_sign);
    if (!is_gifti_name(relative)) continue;
    const std::size_t frame = hash_sign == std::string::npos ? 0 : std::stoul(key.substr(hash_sign + 1));
    const fs::path path = shared_data(relative);
    VISALIGN_REQUIRE_FILE(path);
    SCOPED_TRACE(key);
    const std::vector<SurfaceMap> read = visalign::surface::read_gifti_maps(path);
    ASSERT_LT(frame, read.size());
    const SurfaceMap& map = read[frame];
    ASSERT_EQ(expected.at("length").get<long>(), map.values.size());
    EXPECT_EQ(expected.at("values_fnv1a64").get<std::string>(),
              hex64(visalign::surface::fnv1a64(map.values.data(), sizeof(float) * map.values.size())));
    const json& first = expected.at("first_values");
    for (std::size_t i = 0; i < first.size(); ++i) EXPECT_EQ(first[i].get<double>(), map.values[static_cast<Eigen::Index>(i)]);
    // fsum in the fixture is correctly rounded; a compensated sum here is within a few ulps.
    double sum = 0.0;
    double compensation = 0.0;
    double magnitude = 0.0;
    for (Eigen::Index v = 0; v < map.values.size(); ++v) {
      const double y = static_cast<double>(map.values[v]) - compensation;
      const double t = sum + y;
      compensation = (t - sum) - y;
      sum = t;
      magnitude += std::abs(static_cast<double>(map.values[v]));
    }
    EXPECT_NEAR(expected.at("sum").get<double>(), sum, 1e-12 * magnitude + 1e-12);
    EXPECT_FALSE(map.name.empty());
    ++checked;
  }
  EXPECT_EQ(8, checked) << "fsaverage5 shape files in the fixtures";
}

TEST(GiftiAgainstNibabel, NibabelTestFilesMatchFixtures) {
  ASSERT_TRUE(host_is_little_endian());
  VISALIGN_REQUIRE_FILE(fs::path(kNibabelDirectory));
  const json& files = reader_fixtures().at("nibabel_gifti");
  std::vector<fs::path> directories = {fs::path(kNibabelDirectory) / "gifti" / "tests" / "data",
                                       fs::path(kNibabelDirectory) / "tests" / "data"};
  int checked = 0;
  for (const auto& [name, expected] : files.items()) {
    SCOPED_TRACE(name);
    fs::path path;
    for (const fs::path& directory : directories) {
      if (fs::exists(directory / name)) path = directory / name;
    }
    VISALIGN_REQUIRE_FILE(path.empty() ? fs::path(name) : path);
    const GiftiFile gifti = visalign::surface::read_gifti(path);
    const json& arrays = expected.at("arrays");
    ASSERT_EQ(arrays.size(), gifti.arrays.size());
    for (std::size_t i = 0; i < arrays.size(); ++i) {
      SCOPED_TRACE("DataArray " + std::to_string(i));
      const visalign::surface::GiftiArray& array = gifti.arrays[i];
      EXPECT_EQ(arrays[i].at("intent").get<std::string>(), array.intent);
      EXPECT_EQ(arrays[i].at("data_type").get<std::string>(), array.data_type);
      EXPECT_EQ(arrays[i].at("dims").get<std::vector<std::int64_t>>(), array.dimensions);
      EXPECT_EQ(arrays[i].at("values_fnv1a64").get<std::string>(),
                hex64(visalign::surface::fnv1a64(array.values.data(), sizeof(double) * array.values.size())));
      const json& first = arrays[i].at("first_values");
      ASSERT_LE(first.size(), array.values.size());
      for (std::size_t k = 0; k < first.size(); ++k) EXPECT_EQ(first[k].get<double>(), array.values[k]);
    }
    ++checked;
  }
  // ascii, base64bin, external, gzipbase64, label, rh.aparc.annot, rh.shape.curv, task.func
  EXPECT_GE(checked, 7);
}

TEST(GiftiAgainstNibabel, NibabelTestFilesThroughTheSurfaceAndMapReaders) {
  VISALIGN_REQUIRE_FILE(fs::path(kNibabelDirectory));
  const fs::path directory = fs::path(kNibabelDirectory) / "gifti" / "tests" / "data";

  const Mesh ascii = visalign::surface::read_gifti_surface(directory / "ascii.gii");
  EXPECT_EQ(3, ascii.vertex_count());
  EXPECT_EQ(1, ascii.face_count());
  EXPECT_FLOAT_EQ(-16.072010f, ascii.vertices(0, 0));
  // base64bin.gii decodes (see the fixtures test) but its triangles index past its 10 vertices.
  expect_format_error([&] { visalign::surface::read_gifti_surface(directory / "base64bin.gii"); },
                      directory / "base64bin.gii", "faces: expected vertex indices in [0, 10)");
  const Mesh external = visalign::surface::read_gifti_surface(directory / "external.gii");
  EXPECT_EQ(8, external.vertex_count());
  EXPECT_EQ(12, external.face_count());

  const GiftiFile ascii_file = visalign::surface::read_gifti(directory / "ascii.gii");
  EXPECT_EQ("5.512", ascii_file.metadata.at("Caret-Version"));
  EXPECT_EQ("CortexLeft", ascii_file.arrays[0].metadata.at("AnatomicalStructurePrimary"));

  const auto curvature = visalign::surface::read_gifti_maps(directory / "rh.shape.curv.gii");  // 133764 by 1
  ASSERT_EQ(1u, curvature.size());
  EXPECT_EQ("rh.curv", curvature[0].name);
  EXPECT_EQ(133764, curvature[0].values.size());

  const auto labels = visalign::surface::read_gifti_maps(directory / "label.gii");
  ASSERT_EQ(1u, labels.size());
  EXPECT_EQ("Activations", labels[0].name);

  const auto task = visalign::surface::read_gifti_maps(directory / "task.func.gii");  // 10 arrays of 642
  ASSERT_EQ(10u, task.size());
  EXPECT_EQ("task[0]", task[0].name);
  EXPECT_EQ("task[9]", task[9].name);
  for (const SurfaceMap& map : task) EXPECT_EQ(642, map.values.size());
}

// -------------------------------------------------------------------------------------------------
// (b) Round trips.

TEST_F(GiftiFiles, SurfaceRoundTripIsExactPlainAndCompressed) {
  const Mesh mesh = octahedron();
  for (const std::string name : {"octahedron.surf.gii", "octahedron.surf.gii.gz"}) {
    SCOPED_TRACE(name);
    const fs::path path = file(name);
    visalign::surface::write_gifti_surface(mesh, path, "CortexLeft");
    EXPECT_EQ(name.size() > 3 && name.substr(name.size() - 3) == ".gz", starts_with_gzip_magic(path));
    expect_bitwise_equal(mesh, visalign::surface::read_gifti_surface(path));

    const GiftiFile gifti = visalign::surface::read_gifti(path);
    ASSERT_EQ(2u, gifti.arrays.size());
    EXPECT_EQ("NIFTI_INTENT_POINTSET", gifti.arrays[0].intent);
    EXPECT_EQ("NIFTI_TYPE_FLOAT32", gifti.arrays[0].data_type);
    EXPECT_EQ((std::vector<std::int64_t>{6, 3}), gifti.arrays[0].dimensions);
    EXPECT_EQ("CortexLeft", gifti.arrays[0].metadata.at("AnatomicalStructurePrimary"));
    EXPECT_EQ("NIFTI_INTENT_TRIANGLE", gifti.arrays[1].intent);
    EXPECT_EQ("NIFTI_TYPE_INT32", gifti.arrays[1].data_type);
    EXPECT_EQ((std::vector<std::int64_t>{8, 3}), gifti.arrays[1].dimensions);
  }
  const std::string text = read_text(file("octahedron.surf.gii"));
  EXPECT_EQ(0u, text.find("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                          "<!DOCTYPE GIFTI SYSTEM \"http://www.nitrc.org/frs/download.php/115/gifti.dtd\">\n"
                          "<GIFTI Version=\"1.0\" NumberOfDataArrays=\"2\">"));
  EXPECT_NE(std::string::npos, text.find("Encoding=\"GZipBase64Binary\""));
  EXPECT_NE(std::string::npos, text.find("<DataSpace><![CDATA[NIFTI_XFORM_UNKNOWN]]></DataSpace>"));
  EXPECT_NE(std::string::npos, text.find("<TransformedSpace><![CDATA[NIFTI_XFORM_UNKNOWN]]></TransformedSpace>"));
  EXPECT_TRUE(directory_listing().size() == 2u) << "no temporary files left behind";
}

TEST_F(GiftiFiles, RealSurfaceRoundTripIsExact) {
  const fs::path source = shared_data("fsaverage5/gifti/lh.white.gii.gz");
  VISALIGN_REQUIRE_FILE(source);
  const Mesh mesh = visalign::surface::read_gifti_surface(source);
  const fs::path path = file("lh.white.surf.gii.gz");
  visalign::surface::write_gifti_surface(mesh, path);
  expect_bitwise_equal(mesh, visalign::surface::read_gifti_surface(path));
  EXPECT_EQ(0u, visalign::surface::read_gifti(path).arrays[0].metadata.size());
}

TEST_F(GiftiFiles, PatchWithUnplacedExcludedVertexIsWrittenReadably) {
  Mesh mesh = octahedron();
  mesh.faces.conservativeResize(4, 3);  // the upper half: vertex 5 is unused
  mesh.excluded = {0, 0, 0, 0, 0, 1};
  mesh.vertices.row(5).setConstant(std::numeric_limits<float>::quiet_NaN());
  const fs::path path = file("patch.surf.gii");
  visalign::surface::write_gifti_surface(mesh, path);
  const Mesh read = visalign::surface::read_gifti_surface(path);
  ASSERT_EQ(6, read.vertex_count());
  EXPECT_TRUE(read.vertices.topRows(5) == mesh.vertices.topRows(5));
  EXPECT_TRUE(read.vertices.row(5).isZero());
  EXPECT_TRUE(read.faces == mesh.faces);
}

TEST_F(GiftiFiles, MapsRoundTripWithNamesUnitsAndIntent) {
  std::vector<SurfaceMap> maps(2);
  maps[0].name = "geodesic_distance";
  maps[0].units = "mm";
  maps[0].values.resize(7);
  maps[0].values << 0.0f, 1.5f, -2.25f, 1e-30f, 3.4e38f, std::numeric_limits<float>::infinity(), -0.0f;
  maps[1].name = "similarity ]]> with <markup> & \"quotes\"";
  maps[1].values.resize(7);
  maps[1].values << 1, 2, 3, 4, 5, 6, std::numeric_limits<float>::quiet_NaN();

  const struct {
    const char* name;
    const char* intent;
  } cases[] = {{"maps.func.gii", "NIFTI_INTENT_NONE"},
               {"maps.func.gii.gz", "NIFTI_INTENT_NONE"},
               {"maps.shape.gii", "NIFTI_INTENT_SHAPE"},
               {"maps.shape.gii.gz", "NIFTI_INTENT_SHAPE"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const fs::path path = file(c.name);
    visalign::surface::write_gifti_maps(maps, path);
    EXPECT_EQ(std::string(c.name).find(".gz") != std::string::npos, starts_with_gzip_magic(path));
    const std::vector<SurfaceMap> read = visalign::surface::read_gifti_maps(path);
    ASSERT_EQ(2u, read.size());
    for (std::size_t m = 0; m < 2; ++m) {
      EXPECT_EQ(maps[m].name, read[m].name);
      EXPECT_EQ(maps[m].units, read[m].units);
      ASSERT_EQ(maps[m].values.size(), read[m].values.size());
      EXPECT_EQ(0, std::memcmp(maps[m].values.data(), read[m].values.data(), sizeof(float) * 7));
    }
    const GiftiFile gifti = visalign::surface::read_gifti(path);
    for (const auto& array : gifti.arrays) {
      EXPECT_EQ(c.intent, array.intent);
      EXPECT_EQ("NIFTI_TYPE_FLOAT32", array.data_type);
      EXPECT_EQ(std::vector<std::int64_t>{7}, array.dimensions);
    }
    EXPECT_EQ(0u, gifti.arrays[1].metadata.count("Units"));
  }
}

TEST_F(GiftiFiles, RealShapeMapRoundTripIsExact) {
  const fs::path source = shared_data("fsaverage5/gifti/rh.thickness.shape.gii.gz");
  VISALIGN_REQUIRE_FILE(source);
  std::vector<SurfaceMap> maps = visalign::surface::read_gifti_maps(source);
  maps[0].units = "mm";
  const fs::path path = file("rh.thickness.shape.gii");
  visalign::surface::write_gifti_maps(maps, path);
  const std::vector<SurfaceMap> read = visalign::surface::read_gifti_maps(path);
  ASSERT_EQ(1u, read.size());
  EXPECT_EQ(maps[0].name, read[0].name);
  EXPECT_EQ("mm", read[0].units);
  EXPECT_TRUE(maps[0].values == read[0].values);
}

TEST_F(GiftiFiles, UnnamedMapsAreNamedAfterTheFile) {
  std::vector<SurfaceMap> maps(2);
  maps[0].values = Eigen::VectorXf::LinSpaced(4, 0.0f, 3.0f);
  maps[1].values = Eigen::VectorXf::Constant(4, 2.0f);
  const fs::path path = file("lh.beta.func.gii");
  visalign::surface::write_gifti_maps(maps, path);
  const std::vector<SurfaceMap> read = visalign::surface::read_gifti_maps(path);
  ASSERT_EQ(2u, read.size());
  EXPECT_EQ("lh.beta[0]", read[0].name);
  EXPECT_EQ("lh.beta[1]", read[1].name);
  EXPECT_TRUE(read[1].values == maps[1].values);
}

TEST_F(GiftiFiles, WritingRejectsBadMapsAndMeshes) {
  std::vector<SurfaceMap> maps(2);
  maps[0].values = Eigen::VectorXf::Zero(4);
  maps[1].values = Eigen::VectorXf::Zero(5);
  EXPECT_THROW(visalign::surface::write_gifti_maps(maps, file("a.func.gii")), std::invalid_argument);
  EXPECT_THROW(visalign::surface::write_gifti_maps({}, file("b.func.gii")), std::invalid_argument);
  Mesh mesh = octahedron();
  mesh.faces(3, 1) = 6;
  EXPECT_THROW(visalign::surface::write_gifti_surface(mesh, file("c.surf.gii")), std::invalid_argument);
  EXPECT_TRUE(directory_listing().empty());
}

TEST_F(GiftiFiles, FailedWritesLeaveNothingBehind) {
  const Mesh mesh = octahedron();
  std::vector<SurfaceMap> maps(1);
  maps[0].values = Eigen::VectorXf::Ones(6);
  // The folder does not exist.
  EXPECT_THROW(visalign::surface::write_gifti_surface(mesh, file("missing/octahedron.surf.gii")), std::runtime_error);
  EXPECT_THROW(visalign::surface::write_gifti_surface(mesh, file("missing/octahedron.surf.gii.gz")), std::runtime_error);
  EXPECT_THROW(visalign::surface::write_gifti_maps(maps, file("missing/maps.func.gii")), std::runtime_error);
  EXPECT_FALSE(fs::exists(file("missing")));
  // The destination is a folder: the finished temporary file cannot be renamed onto it.
  fs::create_directory(file("occupied.surf.gii"));
  EXPECT_THROW(visalign::surface::write_gifti_surface(mesh, file("occupied.surf.gii")), std::runtime_error);
  fs::create_directory(file("occupied.func.gii.gz"));
  EXPECT_THROW(visalign::surface::write_gifti_maps(maps, file("occupied.func.gii.gz")), std::runtime_error);
  const std::vector<std::string> left = directory_listing();
  EXPECT_EQ(2u, left.size()) << "only the two folders; found " << left.size() << " entries";
}

// -------------------------------------------------------------------------------------------------
// Every encoding, data type, byte order and index order.

TEST_F(GiftiFiles, EveryDataTypeAndByteOrderDecodes) {
  ASSERT_TRUE(host_is_little_endian());
  const std::vector<double> expected_signed = {-3, 0, 7, 100};
  const std::vector<double> expected_unsigned = {3, 0, 7, 200};
  struct Case {
    std::string type;
    std::function<std::string(bool)> bytes;
    std::vector<double> expected;
  };
  const std::vector<Case> cases = {
      {"NIFTI_TYPE_UINT8", [](bool big) { return raw_bytes(std::vector<std::uint8_t>{3, 0, 7, 200}, big); }, expected_unsigned},
      {"NIFTI_TYPE_INT8", [](bool big) { return raw_bytes(std::vector<std::int8_t>{-3, 0, 7, 100}, big); }, expected_signed},
      {"NIFTI_TYPE_INT16", [](bool big) { return raw_bytes(std::vector<std::int16_t>{-3, 0, 7, 100}, big); }, expected_signed},
      {"NIFTI_TYPE_UINT16", [](bool big) { return raw_bytes(std::vector<std::uint16_t>{3, 0, 7, 200}, big); }, expected_unsigned},
      {"NIFTI_TYPE_INT32", [](bool big) { return raw_bytes(std::vector<std::int32_t>{-3, 0, 7, 100}, big); }, expected_signed},
      {"NIFTI_TYPE_UINT32", [](bool big) { return raw_bytes(std::vector<std::uint32_t>{3, 0, 7, 200}, big); }, expected_unsigned},
      {"NIFTI_TYPE_INT64", [](bool big) { return raw_bytes(std::vector<std::int64_t>{-3, 0, 7, 100}, big); }, expected_signed},
      {"NIFTI_TYPE_FLOAT32", [](bool big) { return raw_bytes(std::vector<float>{-3, 0, 7, 100}, big); }, expected_signed},
      {"NIFTI_TYPE_FLOAT64", [](bool big) { return raw_bytes(std::vector<double>{-3, 0, 7, 100}, big); }, expected_signed},
  };
  int written = 0;
  for (const Case& c : cases) {
    for (const bool big : {false, true}) {
      for (const std::string encoding : {"Base64Binary", "GZipBase64Binary", "GIFTI_ENCODING_B64BIN"}) {
        SCOPED_TRACE(c.type + (big ? " big-endian " : " little-endian ") + encoding);
        ArraySpec spec;
        spec.data_type = c.type;
        spec.dims = {"4"};
        spec.encoding = encoding;
        spec.endian = big ? "BigEndian" : "LittleEndian";
        const std::string bytes = c.bytes(big);
        spec.data = base64(encoding == "GZipBase64Binary" ? compress(bytes, 15) : bytes);
        const fs::path path = write_text("types" + std::to_string(written++) + ".gii", gifti_xml({spec}));
        const GiftiFile gifti = visalign::surface::read_gifti(path);
        ASSERT_EQ(1u, gifti.arrays.size());
        EXPECT_EQ(c.expected, gifti.arrays[0].values);
      }
    }
    SCOPED_TRACE(c.type + " ASCII");
    ArraySpec spec;
    spec.data_type = c.type;
    spec.dims = {"4"};
    spec.data = "\n  " + std::to_string(static_cast<long>(c.expected[0])) + "\t" +
                std::to_string(static_cast<long>(c.expected[1])) + "\n+" +
                std::to_string(static_cast<long>(c.expected[2])) + " " + std::to_string(static_cast<long>(c.expected[3])) +
                "  \n";
    const fs::path path = write_text("types" + std::to_string(written++) + ".gii", gifti_xml({spec}));
    EXPECT_EQ(c.expected, visalign::surface::read_gifti(path).arrays[0].values);
  }
}

TEST_F(GiftiFiles, AsciiFloat32ValuesAreRoundedToFloat32) {
  ArraySpec spec;
  spec.dims = {"3"};
  spec.data = "0.1 -1.5e-3 nan";
  const GiftiFile gifti = visalign::surface::read_gifti(write_text("ascii.gii", gifti_xml({spec})));
  EXPECT_EQ(static_cast<double>(0.1f), gifti.arrays[0].values[0]);
  EXPECT_EQ(static_cast<double>(-1.5e-3f), gifti.arrays[0].values[1]);
  EXPECT_TRUE(std::isnan(gifti.arrays[0].values[2]));
  spec.data_type = "NIFTI_TYPE_FLOAT64";
  EXPECT_EQ(0.1, visalign::surface::read_gifti(write_text("ascii64.gii", gifti_xml({spec}))).arrays[0].values[0]);
}

TEST_F(GiftiFiles, ColumnMajorArraysAreReturnedRowMajor) {
  // The 2 by 3 matrix [[1 2 3] [4 5 6]] in column-major order is 1 4 2 5 3 6.
  ArraySpec ascii;
  ascii.dims = {"2", "3"};
  ascii.order = "ColumnMajorOrder";
  ascii.data = "1 4 2 5 3 6";
  ArraySpec binary = ascii;
  binary.encoding = "GZipBase64Binary";
  binary.data = base64(compress(float32_bytes({1, 4, 2, 5, 3, 6}), 31));  // gzip wrapper
  // A 2 by 3 by 2 array: element (i, j, k) = 100 i + 10 j + k.
  ArraySpec cube;
  cube.dims = {"2", "3", "2"};
  cube.order = "ColumnMajorOrder";
  std::vector<float> column_major;
  std::vector<double> row_major;
  for (int k = 0; k < 2; ++k)
    for (int j = 0; j < 3; ++j)
      for (int i = 0; i < 2; ++i) column_major.push_back(static_cast<float>(100 * i + 10 * j + k));
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 2; ++k) row_major.push_back(100 * i + 10 * j + k);
  cube.encoding = "Base64Binary";
  cube.data = base64(float32_bytes(column_major));

  const GiftiFile gifti = visalign::surface::read_gifti(write_text("column.gii", gifti_xml({ascii, binary, cube})));
  const std::vector<double> expected = {1, 2, 3, 4, 5, 6};
  EXPECT_EQ(expected, gifti.arrays[0].values);
  EXPECT_EQ(expected, gifti.arrays[1].values);
  EXPECT_EQ(row_major, gifti.arrays[2].values);
  EXPECT_EQ((std::vector<std::int64_t>{2, 3, 2}), gifti.arrays[2].dimensions);
}

TEST_F(GiftiFiles, ExternalFileBinaryWithOffset) {
  std::string data = "HEADER--";  // 8 bytes before the coordinates
  const std::vector<float> coordinates = {0, 0, 0, 1, 0, 0, 0, 1, 0};
  data += float32_bytes(coordinates);
  data += raw_bytes(std::vector<std::int32_t>{0, 1, 2}, true);
  write_text("mesh.dat", data);
  ArraySpec points;
  points.intent = "NIFTI_INTENT_POINTSET";
  points.dims = {"3", "3"};
  points.encoding = "ExternalFileBinary";
  points.extra_attributes = "ExternalFileName=\"mesh.dat\" ExternalFileOffset=\"8\"";
  ArraySpec triangles;
  triangles.intent = "NIFTI_INTENT_TRIANGLE";
  triangles.data_type = "NIFTI_TYPE_INT32";
  triangles.dims = {"1", "3"};
  triangles.encoding = "ExternalFileBinary";
  triangles.endian = "BigEndian";
  triangles.extra_attributes = "ExternalFileName=\"mesh.dat\" ExternalFileOffset=\"44\"";
  const Mesh mesh = visalign::surface::read_gifti_surface(write_text("external.surf.gii", gifti_xml({points, triangles})));
  ASSERT_EQ(3, mesh.vertex_count());
  EXPECT_EQ(1.0f, mesh.vertices(1, 0));
  EXPECT_EQ(1.0f, mesh.vertices(2, 1));
  EXPECT_EQ(2, mesh.faces(0, 2));

  // Past the end of the external file, and a missing external file.
  triangles.extra_attributes = "ExternalFileName=\"mesh.dat\" ExternalFileOffset=\"48\"";
  const fs::path short_file = write_text("short.surf.gii", gifti_xml({points, triangles}));
  expect_format_error([&] { visalign::surface::read_gifti(short_file); }, short_file, "expected 12 bytes at offset 48");
  triangles.extra_attributes = "ExternalFileName=\"nowhere.dat\" ExternalFileOffset=\"0\"";
  const fs::path missing = write_text("missing.surf.gii", gifti_xml({points, triangles}));
  expect_format_error([&] { visalign::surface::read_gifti(missing); }, missing, "nowhere.dat");
}

TEST_F(GiftiFiles, MetadataAtFileAndArrayLevel) {
  ArraySpec spec;
  spec.metadata = md("Name", "beta weights") + md("Units", "% signal") + md("Description", "");
  spec.data = "1 2 3";
  const fs::path path = write_text("meta.func.gii", gifti_xml({spec}, md("Subject", "S01") + md("Date", "today")));
  const GiftiFile gifti = visalign::surface::read_gifti(path);
  EXPECT_EQ("S01", gifti.metadata.at("Subject"));
  EXPECT_EQ("today", gifti.metadata.at("Date"));
  EXPECT_EQ("beta weights", gifti.arrays[0].metadata.at("Name"));
  EXPECT_EQ("", gifti.arrays[0].metadata.at("Description"));
  const auto maps = visalign::surface::read_gifti_maps(path);
  ASSERT_EQ(1u, maps.size());
  EXPECT_EQ("beta weights", maps[0].name);
  EXPECT_EQ("% signal", maps[0].units);
}

TEST_F(GiftiFiles, MultiColumnArraysGiveOneMapPerColumn) {
  ArraySpec spec;
  spec.dims = {"3", "2"};
  spec.data = "1 10\n2 20\n3 30";
  spec.metadata = md("Name", "pair");
  const auto maps = visalign::surface::read_gifti_maps(write_text("pair.func.gii", gifti_xml({spec})));
  ASSERT_EQ(2u, maps.size());
  EXPECT_EQ("pair[0]", maps[0].name);
  EXPECT_EQ("pair[1]", maps[1].name);
  EXPECT_EQ(Eigen::Vector3f(10, 20, 30), maps[1].values);
}

TEST(GiftiDetection, LooksLikeGifti) {
  auto bytes = [](const std::string& text) { return std::vector<char>(text.begin(), text.end()); };
  EXPECT_TRUE(visalign::surface::looks_like_gifti(bytes("<?xml version=\"1.0\"?><GIFTI/>")));
  EXPECT_TRUE(visalign::surface::looks_like_gifti(bytes("\xEF\xBB\xBF  \n<?xml")));
  EXPECT_TRUE(visalign::surface::looks_like_gifti(bytes("\n<GIFTI Version=\"1.0\">")));
  EXPECT_FALSE(visalign::surface::looks_like_gifti(bytes("\xff\xff\xfe")));
  EXPECT_FALSE(visalign::surface::looks_like_gifti(bytes("")));
  EXPECT_FALSE(visalign::surface::looks_like_gifti(bytes("<?xm")));
  EXPECT_FALSE(visalign::surface::looks_like_gifti(bytes("<html>")));
}

// -------------------------------------------------------------------------------------------------
// (c) Malformed input: a FormatError that names the file, never a crash.

std::vector<ArraySpec> triangle_surface() {
  ArraySpec points;
  points.intent = "NIFTI_INTENT_POINTSET";
  points.dims = {"3", "3"};
  points.data = "0 0 0  1 0 0  0 1 0";
  ArraySpec triangles;
  triangles.intent = "NIFTI_INTENT_TRIANGLE";
  triangles.data_type = "NIFTI_TYPE_INT32";
  triangles.dims = {"1", "3"};
  triangles.data = "0 1 2";
  return {points, triangles};
}

TEST_F(GiftiFiles, TruncatedFilesAreFormatErrors) {
  const Mesh mesh = octahedron();
  const fs::path whole = file("whole.surf.gii");
  visalign::surface::write_gifti_surface(mesh, whole);
  const std::string text = read_text(whole);
  for (const std::size_t length : {text.size() - 20, text.size() / 2, text.find("<Data>") + 20, std::size_t{10}}) {
    SCOPED_TRACE(length);
    const fs::path path = write_text("truncated.surf.gii", text.substr(0, length));
    expect_format_error([&] { visalign::surface::read_gifti_surface(path); }, path, "");
  }
  const fs::path compressed = file("whole.surf.gii.gz");
  visalign::surface::write_gifti_surface(mesh, compressed);
  const std::string gz = read_text(compressed);
  const fs::path truncated_gz = write_text("truncated.surf.gii.gz", gz.substr(0, gz.size() / 2));
  expect_format_error([&] { visalign::surface::read_gifti_surface(truncated_gz); }, truncated_gz, "");
  const fs::path empty = write_text("empty.surf.gii", "");
  expect_format_error([&] { visalign::surface::read_gifti_surface(empty); }, empty, "empty file");
}

TEST_F(GiftiFiles, GarbledXmlIsAFormatError) {
  std::string text = gifti_xml(triangle_surface());
  std::string no_equals = text;
  const fs::path garbled = write_text("garbled.surf.gii", no_equals.replace(no_equals.find("Intent="), 7, "Intent"));
  expect_format_error([&] { visalign::surface::read_gifti_surface(garbled); }, garbled, "XML: expected well-formed XML");
  // rapidxml reads "<Data<<Array" as an element of that name; the array count catches it.
  const fs::path renamed = write_text("renamed.surf.gii", text.replace(text.find("<DataArray"), 10, "<Data<<Array"));
  expect_format_error([&] { visalign::surface::read_gifti_surface(renamed); }, renamed, "NumberOfDataArrays");
  const fs::path unquoted = write_text("unquoted.surf.gii", "<?xml version=\"1.0\"?>\n<GIFTI Version=1.0></GIFTI>");
  expect_format_error([&] { visalign::surface::read_gifti_surface(unquoted); }, unquoted, "XML");
  const fs::path other_root = write_text("other.surf.gii", "<?xml version=\"1.0\"?>\n<html><body/></html>");
  expect_format_error([&] { visalign::surface::read_gifti(other_root); }, other_root, "expected a <GIFTI> root element, found <html>");
  std::string deep = "<?xml version=\"1.0\"?>\n<GIFTI>";
  for (int level = 0; level < 200000; ++level) deep += "<MetaData a='>'>";
  const fs::path nested = write_text("nested.surf.gii", deep);
  expect_format_error([&] { visalign::surface::read_gifti(nested); }, nested, "expected elements nested at most");
  const fs::path binary = write_text("binary.surf.gii", std::string("\x00\x01\x02\xff garbage", 12));
  expect_format_error([&] { visalign::surface::read_gifti(binary); }, binary, "expected an XML document");
}

TEST_F(GiftiFiles, BadBase64AndCorruptZlibAreFormatErrors) {
  ArraySpec spec;
  spec.dims = {"2"};
  spec.encoding = "Base64Binary";
  spec.data = "AAAA*AAAAAA=";
  const fs::path bad_character = write_text("bad_character.gii", gifti_xml({spec}));
  expect_format_error([&] { visalign::surface::read_gifti(bad_character); }, bad_character,
                      "DataArray 0: Data: expected base64 text, found invalid character '*'");
  spec.data = "AAAAA";
  const fs::path bad_length = write_text("bad_length.gii", gifti_xml({spec}));
  expect_format_error([&] { visalign::surface::read_gifti(bad_length); }, bad_length, "expected base64 text");
  spec.data = "AA==AAAA";
  const fs::path after_padding = write_text("after_padding.gii", gifti_xml({spec}));
  expect_format_error([&] { visalign::surface::read_gifti(after_padding); }, after_padding, "after the '=' padding");

  spec.encoding = "GZipBase64Binary";
  spec.data = base64("this is not a zlib stream at all");
  const fs::path corrupt = write_text("corrupt.gii", gifti_xml({spec}));
  expect_format_error([&] { visalign::surface::read_gifti(corrupt); }, corrupt, "corrupt compressed data");
  std::string stream = compress(float32_bytes(std::vector<float>(1000, 1.5f)), 15);
  spec.dims = {"1000"};
  spec.data = base64(stream.substr(0, stream.size() / 2));
  const fs::path truncated = write_text("truncated_zlib.gii", gifti_xml({spec}));
  expect_format_error([&] { visalign::surface::read_gifti(truncated); }, truncated, "truncated compressed data");
  stream[stream.size() / 2] = static_cast<char>(stream[stream.size() / 2] ^ 0x5a);
  stream[stream.size() - 2] = static_cast<char>(stream[stream.size() - 2] ^ 0x5a);  // breaks the Adler-32 check
  spec.data = base64(stream);
  const fs::path flipped = write_text("flipped_zlib.gii", gifti_xml({spec}));
  expect_format_error([&] { visalign::surface::read_gifti(flipped); }, flipped, "DataArray 0: Data:");
}

TEST_F(GiftiFiles, WrongElementCountsAreFormatErrors) {
  ArraySpec spec;
  spec.dims = {"10242", "3"};
  spec.encoding = "Base64Binary";
  spec.data = base64(std::string(1000, '\0'));
  const fs::path binary = write_text("lh.white.gii", gifti_xml({spec}));
  expect_format_error([&] { visalign::surface::read_gifti(binary); }, binary,
                      "lh.white.gii: DataArray 0: Data: expected 122904 bytes for 10242x3 NIFTI_TYPE_FLOAT32, found "
                      "1000 after decoding");
  spec.encoding = "GZipBase64Binary";
  spec.dims = {"10"};
  spec.data = base64(compress(float32_bytes(std::vector<float>(11, 1.0f)), 15));
  const fs::path too_long = write_text("too_long.gii", gifti_xml({spec}));
  expect_format_error([&] { visalign::surface::read_gifti(too_long); }, too_long,
                      "expected 40 bytes for 10 NIFTI_TYPE_FLOAT32, found more than 40");

  std::vector<ArraySpec> surface = triangle_surface();
  surface[0].dims = {"4", "3"};
  const fs::path ascii = write_text("dim0.surf.gii", gifti_xml(surface));
  expect_format_error([&] { visalign::surface::read_gifti_surface(ascii); }, ascii,
                      "DataArray 0: Data: expected 12 numbers for 4x3 NIFTI_TYPE_FLOAT32, found 9");
  surface[0].dims = {"2", "3"};
  const fs::path extra = write_text("extra.surf.gii", gifti_xml(surface));
  expect_format_error([&] { visalign::surface::read_gifti_surface(extra); }, extra, "expected 6 numbers");
  surface[0].dims = {"9"};
  const fs::path flat = write_text("flat.surf.gii", gifti_xml(surface));
  expect_format_error([&] { visalign::surface::read_gifti_surface(flat); }, flat,
                      "DataArray 0: Dim: expected NIFTI_INTENT_POINTSET to be #V by 3, found 9");

  std::string text = gifti_xml(triangle_surface());
  text.replace(text.find("NumberOfDataArrays=\"2\""), 22, "NumberOfDataArrays=\"3\"");
  const fs::path count = write_text("count.surf.gii", text);
  expect_format_error([&] { visalign::surface::read_gifti(count); }, count,
                      "NumberOfDataArrays: expected 3 <DataArray> elements, found 2");
}

TEST_F(GiftiFiles, MissingOrUnknownAttributesAreFormatErrors) {
  struct Case {
    std::string name;
    std::function<void(ArraySpec&)> change;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"encoding", [](ArraySpec& s) { s.encoding = "UUEncoded"; }, "Encoding: expected ASCII, Base64Binary"},
      {"data_type", [](ArraySpec& s) { s.data_type = "NIFTI_TYPE_COMPLEX64"; }, "DataType: expected one of"},
      {"endian", [](ArraySpec& s) { s.encoding = "Base64Binary"; s.endian = "MiddleEndian"; s.data = "AAAAAAAAAAAAAAAA"; },
       "Endian: expected LittleEndian or BigEndian, found \"MiddleEndian\""},
      {"order", [](ArraySpec& s) { s.dims = {"3", "1"}; s.order = "Diagonal"; }, "ArrayIndexingOrder: expected"},
      {"dim", [](ArraySpec& s) { s.dims = {"three"}; }, "Dim0: expected an integer"},
      {"negative_dim", [](ArraySpec& s) { s.dims = {"-3"}; }, "Dim0: expected an integer of at least 0"},
      {"huge_dims", [](ArraySpec& s) { s.dims = {"100000000", "100000000", "1000"}; }, "Dim1: expected at most"},
      {"not_a_number", [](ArraySpec& s) { s.data = "1 2 x3"; }, "Data: expected a number (NIFTI_TYPE_FLOAT32) at position 2"},
      {"not_an_integer", [](ArraySpec& s) { s.data_type = "NIFTI_TYPE_INT32"; s.data = "1 2.5 3"; }, "Data: expected an integer"},
      {"out_of_range", [](ArraySpec& s) { s.data_type = "NIFTI_TYPE_UINT8"; s.data = "1 256 3"; }, "Data: expected a value that fits NIFTI_TYPE_UINT8"},
      {"no_data", [](ArraySpec& s) { s.extra_attributes = ""; }, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ArraySpec spec;
    spec.data = "1 2 3";
    c.change(spec);
    const fs::path path = write_text(c.name + ".gii", gifti_xml({spec}));
    if (c.name == "no_data") {
      std::string text = read_text(path);
      text.replace(text.find("<Data>"), std::string("<Data>1 2 3</Data>").size(), "");
      write_text(c.name + ".gii", text);
      expect_format_error([&] { visalign::surface::read_gifti(path); }, path, "Data: expected a <Data> element");
      continue;
    }
    expect_format_error([&] { visalign::surface::read_gifti(path); }, path, "DataArray 0: " + c.message);
  }
  for (const std::string attribute : {"Intent", "DataType", "Encoding", "Dimensionality", "Dim0"}) {
    SCOPED_TRACE(attribute);
    std::string text = gifti_xml({ArraySpec{}});
    const std::size_t start = text.find(" " + attribute + "=\"");
    text.erase(start, text.find('"', text.find('"', start) + 1) + 1 - start);
    const fs::path path = write_text("missing_" + attribute + ".gii", text);
    expect_format_error([&] { visalign::surface::read_gifti(path); }, path,
                        "DataArray 0: " + attribute + ": expected");
  }
}

TEST_F(GiftiFiles, BadFacesAndCoordinatesAreFormatErrors) {
  std::vector<ArraySpec> surface = triangle_surface();
  surface[1].data = "0 1 3";
  const fs::path past_end = write_text("past_end.surf.gii", gifti_xml(surface));
  expect_format_error([&] { visalign::surface::read_gifti_surface(past_end); }, past_end,
                      "faces: expected vertex indices in [0, 3), found 3 in face 0");
  surface[1].data = "0 1 2";
  surface[0].data = "0 0 0  1 nan 0  0 1 0";
  const fs::path nan = write_text("nan.surf.gii", gifti_xml(surface));
  expect_format_error([&] { visalign::surface::read_gifti_surface(nan); }, nan, "expected finite numbers");
  surface = triangle_surface();
  surface[1].data_type = "NIFTI_TYPE_FLOAT32";
  surface[1].data = "0 1 1.5";
  const fs::path fractional = write_text("fractional.surf.gii", gifti_xml(surface));
  expect_format_error([&] { visalign::surface::read_gifti_surface(fractional); }, fractional,
                      "DataArray 1: Data: expected integer vertex indices, found 1.5 in face 0");
  surface = triangle_surface();
  surface.pop_back();
  const fs::path no_triangles = write_text("no_triangles.surf.gii", gifti_xml(surface));
  expect_format_error([&] { visalign::surface::read_gifti_surface(no_triangles); }, no_triangles,
                      "expected a NIFTI_INTENT_TRIANGLE data array");
  const fs::path surface_only = write_text("surface_only.surf.gii", gifti_xml(triangle_surface()));
  expect_format_error([&] { visalign::surface::read_gifti_maps(surface_only); }, surface_only,
                      "expected at least one per-vertex data array");
}

TEST_F(GiftiFiles, MapsOfDifferentLengthsAreAFormatError) {
  ArraySpec first;
  first.dims = {"3"};
  first.data = "1 2 3";
  ArraySpec second;
  second.dims = {"4"};
  second.data = "1 2 3 4";
  const fs::path path = write_text("uneven.func.gii", gifti_xml({first, second}));
  expect_format_error([&] { visalign::surface::read_gifti_maps(path); }, path,
                      "DataArray 1: Dim0: expected 3 values per map (as in DataArray 0), found 4");
}

}  // namespace
