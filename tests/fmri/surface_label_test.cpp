// Regions of interest as files: FreeSurfer ASCII labels, annotations and GIFTI label files against
// nibabel (tests/fixtures/roi_fixtures.json, made by tests/fixtures/make_roi_fixtures.py), the
// label writer's round trip, region look-up by name, and damaged inputs.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "fmri/surface_label.hpp"
#include "surface/format_error.hpp"
#include "tests/fixture_json.hpp"
#include "tests/scratch_directory.hpp"
#include "tests/test_data.hpp"

namespace visalign::fmri {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using visalign::surface::FormatError;
using visalign::testing::ScratchDirectory;

const json& roi_fixtures() {
  static const json fixtures = visalign::testing::read_fixture_json("roi_fixtures.json");
  return fixtures;
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream stream(path, std::ios::binary);
  stream << text;
}

// Runs `read` and returns the FormatError's message after checking that it names `path`;
// fails the test if no FormatError comes.
template <typename Read>
std::string format_error_message(const fs::path& path, Read read) {
  try {
    read();
  } catch (const FormatError& error) {
    EXPECT_EQ(error.file(), path.string());
    EXPECT_EQ(std::string(error.what()).rfind(path.string() + ": ", 0), 0u) << error.what();
    return error.what();
  }
  ADD_FAILURE() << "expected a FormatError for " << path;
  return "";
}

// Big-endian bytes for hand-made annotations.
void append_i32(std::vector<char>& out, std::int32_t value) {
  const auto bits = static_cast<std::uint32_t>(value);
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((bits >> shift) & 0xff));
}

void append_string(std::vector<char>& out, const std::string& text) {
  append_i32(out, static_cast<std::int32_t>(text.size() + 1));
  out.insert(out.end(), text.begin(), text.end());
  out.push_back('\0');
}

std::int32_t packed(int red, int green, int blue) { return red + green * 256 + blue * 65536; }

// ---------------------------------------------------------------------------------------------
// Agreement with nibabel.

TEST(SurfaceLabel, LabelsAgreeWithNibabel) {
  int checked = 0;
  for (const auto& [relative, expected] : roi_fixtures().at("labels").items()) {
    SCOPED_TRACE(relative);
    const fs::path path = visalign::testing::shared_data(relative);
    VISALIGN_REQUIRE_FILE(path);
    const SurfaceLabel label = read_freesurfer_label(path);
    const auto count = expected.at("count").get<std::size_t>();
    ASSERT_EQ(label.vertices.size(), count);
    ASSERT_EQ(label.values.size(), count);
    ASSERT_EQ(static_cast<std::size_t>(label.coordinates.rows()), count);
    const std::string comment_line = expected.at("comment_line").get<std::string>();
    EXPECT_EQ("#" + label.comment, comment_line);
    const auto first_vertices = expected.at("first_vertices").get<std::vector<std::int32_t>>();
    EXPECT_EQ(std::vector<std::int32_t>(label.vertices.begin(), label.vertices.begin() + 3), first_vertices);
    std::int64_t sum = 0;
    for (const std::int32_t vertex : label.vertices) sum += vertex;
    EXPECT_EQ(sum, expected.at("vertex_sum").get<std::int64_t>());
    const auto first_values = expected.at("first_values").get<std::vector<double>>();
    const auto first_coordinates = expected.at("first_coordinates").get<std::vector<std::vector<double>>>();
    for (std::size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(label.values[i], static_cast<float>(first_values[i]));
      for (Eigen::Index axis = 0; axis < 3; ++axis) {
        EXPECT_EQ(label.coordinates(static_cast<Eigen::Index>(i), axis),
                  static_cast<float>(first_coordinates[i][static_cast<std::size_t>(axis)]));
      }
    }
    ++checked;
  }
  EXPECT_EQ(checked, 12);
}

TEST(SurfaceLabel, AnnotationsAgreeWithNibabel) {
  int checked = 0;
  for (const auto& [relative, expected] : roi_fixtures().at("annotations").items()) {
    SCOPED_TRACE(relative);
    const fs::path path = visalign::testing::shared_data(relative);
    VISALIGN_REQUIRE_FILE(path);
    const Parcellation parcellation = read_freesurfer_annotation(path);
    ASSERT_EQ(parcellation.vertex_region.size(), expected.at("vertex_count").get<std::size_t>());
    const auto names = expected.at("names").get<std::vector<std::string>>();
    const auto counts = expected.at("region_vertex_counts").get<std::vector<std::int64_t>>();
    const auto ctab = expected.at("ctab").get<std::vector<std::vector<std::int32_t>>>();
    ASSERT_EQ(parcellation.regions.size(), names.size());
    for (std::size_t r = 0; r < names.size(); ++r) {
      SCOPED_TRACE(names[r]);
      const ParcellationRegion& region = parcellation.regions[r];
      EXPECT_EQ(region.name, names[r]);
      EXPECT_EQ(region.rgba[0], ctab[r][0]);
      EXPECT_EQ(region.rgba[1], ctab[r][1]);
      EXPECT_EQ(region.rgba[2], ctab[r][2]);
      EXPECT_EQ(region.rgba[3], 255 - ctab[r][3]);
      EXPECT_EQ(region.key, ctab[r][4]);
      EXPECT_EQ(std::count(parcellation.vertex_region.begin(), parcellation.vertex_region.end(),
                           static_cast<std::int32_t>(r)),
                counts[r]);
    }
    EXPECT_EQ(std::count(parcellation.vertex_region.begin(), parcellation.vertex_region.end(), -1),
              expected.at("unlabelled").get<std::int64_t>());
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

TEST(SurfaceLabel, GiftiLabelFilesAgreeWithNibabel) {
  const fs::path directory = roi_fixtures().at("nibabel_gifti_dir").get<std::string>();
  int checked = 0;
  for (const auto& [name, expected] : roi_fixtures().at("gifti_labels").items()) {
    SCOPED_TRACE(name);
    const fs::path path = directory / name;
    VISALIGN_REQUIRE_FILE(path);
    const Parcellation parcellation = read_gifti_label(path);
    const json& table = expected.at("label_table");
    ASSERT_EQ(parcellation.regions.size(), table.size());
    std::map<std::int32_t, std::size_t> region_of_key;
    for (std::size_t r = 0; r < table.size(); ++r) {
      const ParcellationRegion& region = parcellation.regions[r];
      EXPECT_EQ(region.key, table[r][0].get<std::int32_t>());
      EXPECT_EQ(region.name, table[r][1].get<std::string>());
      for (std::size_t c = 0; c < 4; ++c) {
        const json& channel = table[r][2][c];
        const double value = channel.is_null() ? 0.0 : channel.get<double>();
        EXPECT_EQ(region.rgba[c], static_cast<int>(std::lround(value * 255.0))) << "channel " << c;
      }
      region_of_key[region.key] = r;
    }
    ASSERT_EQ(parcellation.vertex_region.size(), expected.at("vertex_count").get<std::size_t>());
    std::int64_t outside_table = 0;
    for (const auto& [key_text, count] : expected.at("key_vertex_counts").items()) {
      const auto found = region_of_key.find(std::stoi(key_text));
      if (found == region_of_key.end()) {
        outside_table += count.get<std::int64_t>();
        continue;
      }
      EXPECT_EQ(std::count(parcellation.vertex_region.begin(), parcellation.vertex_region.end(),
                           static_cast<std::int32_t>(found->second)),
                count.get<std::int64_t>())
          << "key " << key_text;
    }
    EXPECT_EQ(std::count(parcellation.vertex_region.begin(), parcellation.vertex_region.end(), -1), outside_table);
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

TEST(SurfaceLabel, ReadParcellationRecognisesBothKinds) {
  const fs::path annotation = visalign::testing::shared_data("fsaverage5/label/lh.aparc.annot");
  const fs::path gifti = fs::path(roi_fixtures().at("nibabel_gifti_dir").get<std::string>()) / "rh.aparc.annot.gii";
  VISALIGN_REQUIRE_FILE(annotation);
  VISALIGN_REQUIRE_FILE(gifti);
  const Parcellation from_annotation = read_parcellation(annotation);
  EXPECT_EQ(from_annotation.vertex_region, read_freesurfer_annotation(annotation).vertex_region);
  EXPECT_EQ(from_annotation.regions.size(), 36u);
  const Parcellation from_gifti = read_parcellation(gifti);
  EXPECT_EQ(from_gifti.vertex_region, read_gifti_label(gifti).vertex_region);
  ASSERT_FALSE(from_gifti.regions.empty());
  EXPECT_EQ(from_gifti.regions[1].name, "bankssts");
  // The same aparc colours give the same keys in both formats.
  EXPECT_EQ(from_gifti.regions[1].key, from_annotation.regions[1].key);
}

// ---------------------------------------------------------------------------------------------
// Regions by name.

TEST(SurfaceLabel, RegionVerticesByName) {
  const fs::path path = visalign::testing::shared_data("fsaverage5/label/lh.aparc.annot");
  VISALIGN_REQUIRE_FILE(path);
  const Parcellation parcellation = read_freesurfer_annotation(path);
  const json& expected = roi_fixtures().at("annotations").at("fsaverage5/label/lh.aparc.annot");
  const auto names = expected.at("names").get<std::vector<std::string>>();
  const auto counts = expected.at("region_vertex_counts").get<std::vector<std::int64_t>>();
  const auto index = static_cast<std::size_t>(std::find(names.begin(), names.end(), "lateraloccipital") - names.begin());
  ASSERT_LT(index, names.size());
  const std::vector<std::int32_t> vertices = parcellation_region_vertices(parcellation, "lateraloccipital", "lh.aparc.annot");
  EXPECT_EQ(static_cast<std::int64_t>(vertices.size()), counts[index]);
  EXPECT_TRUE(std::is_sorted(vertices.begin(), vertices.end()));
  for (const std::int32_t v : vertices) EXPECT_EQ(parcellation.vertex_region[static_cast<std::size_t>(v)], index);
  // Exact match only.
  EXPECT_THROW(parcellation_region_vertices(parcellation, "LateralOccipital", "lh.aparc.annot"), FormatError);
}

TEST(SurfaceLabel, UnknownRegionNameListsEveryName) {
  const fs::path path = visalign::testing::shared_data("fsaverage/label/lh.aparc.annot");
  VISALIGN_REQUIRE_FILE(path);
  const Parcellation parcellation = read_parcellation(path);
  try {
    parcellation_region_vertices(parcellation, "V9", "lh.aparc.annot");
    FAIL() << "expected a FormatError";
  } catch (const FormatError& error) {
    const std::string message = error.what();
    EXPECT_EQ(error.file(), "lh.aparc.annot");
    EXPECT_EQ(message.rfind("lh.aparc.annot: region: expected one of unknown, bankssts, caudalanteriorcingulate, ", 0),
              0u)
        << message;
    EXPECT_NE(message.find(", insula ; found 'V9'"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos);
    for (const ParcellationRegion& region : parcellation.regions) {
      EXPECT_NE(message.find(region.name), std::string::npos) << region.name;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Writing labels.

TEST(SurfaceLabel, RealLabelsRoundTripExactly) {
  ScratchDirectory scratch;
  int checked = 0;
  for (const auto& [relative, expected] : roi_fixtures().at("labels").items()) {
    SCOPED_TRACE(relative);
    const fs::path path = visalign::testing::shared_data(relative);
    VISALIGN_REQUIRE_FILE(path);
    const SurfaceLabel original = read_freesurfer_label(path);
    for (const std::string name : {"copy.label", "copy.label.gz"}) {
      write_freesurfer_label(original, scratch / name);
      const SurfaceLabel copy = read_freesurfer_label(scratch / name);
      EXPECT_EQ(copy.comment, original.comment);
      EXPECT_EQ(copy.vertices, original.vertices);
      EXPECT_EQ(copy.coordinates, original.coordinates);
      EXPECT_EQ(copy.values, original.values);
    }
    // Files FreeSurfer wrote with %.10f values come back byte for byte.
    if (relative.find("thresh") != std::string::npos) {
      EXPECT_EQ(visalign::testing::read_bytes(scratch / "copy.label"), visalign::testing::read_bytes(path));
    }
    ++checked;
  }
  EXPECT_EQ(checked, 12);
  EXPECT_EQ(scratch.entries().size(), 2u);  // no temporary files left behind
}

TEST(SurfaceLabel, WrittenLayoutIsFreeSurfers) {
  ScratchDirectory scratch;
  SurfaceLabel label;
  label.comment = "V1, from subject fsaverage vox2ras=TkReg";
  label.vertices = {7, 0, 163841};
  label.coordinates.resize(3, 3);
  label.coordinates << -21.25f, -74.5f, 6.125f,  //
      0.0f, 1.0f, -2.0f,                          //
      100.0f, -100.0f, 0.5f;
  label.values = {0.7f, 0.0f, -1.5f};
  write_freesurfer_label(label, scratch / "lh.test.label");
  const std::vector<char> bytes = visalign::testing::read_bytes(scratch / "lh.test.label");
  EXPECT_EQ(std::string(bytes.begin(), bytes.end()),
            "#!ascii label V1, from subject fsaverage vox2ras=TkReg\n"
            "3\n"
            "7  -21.250  -74.500  6.125 0.6999999881\n"
            "0  0.000  1.000  -2.000 0.0000000000\n"
            "163841  100.000  -100.000  0.500 -1.5000000000\n");
  const SurfaceLabel copy = read_freesurfer_label(scratch / "lh.test.label");
  EXPECT_EQ(copy.comment, "!ascii label " + label.comment);
  EXPECT_EQ(copy.vertices, label.vertices);
  EXPECT_EQ(copy.coordinates, label.coordinates);
  EXPECT_EQ(copy.values, label.values);

  label.values.pop_back();
  EXPECT_THROW(write_freesurfer_label(label, scratch / "bad.label"), std::invalid_argument);
  label.values.push_back(0.0f);
  label.vertices[1] = -1;
  EXPECT_THROW(write_freesurfer_label(label, scratch / "bad.label"), std::invalid_argument);
  EXPECT_FALSE(fs::exists(scratch / "bad.label"));
}

// ---------------------------------------------------------------------------------------------
// Damaged labels.

const char* const kLabelHeader = "#!ascii label  , from subject fsaverage vox2ras=TkReg\n";

std::string label_lines(int count) {
  std::string text;
  for (int i = 0; i < count; ++i) text += std::to_string(10 * i) + "  -1.000  2.000  3.500 0.5000000000\n";
  return text;
}

TEST(SurfaceLabel, CountDisagreeingWithLinesIsAFormatError) {
  ScratchDirectory scratch;
  const fs::path path = scratch / "short.label";
  write_text(path, std::string(kLabelHeader) + "10\n" + label_lines(9));
  std::string message = format_error_message(path, [&] { read_freesurfer_label(path); });
  EXPECT_NE(message.find("line 2"), std::string::npos) << message;
  EXPECT_NE(message.find("expected 10 vertex lines"), std::string::npos) << message;
  EXPECT_NE(message.find("found 9"), std::string::npos) << message;

  write_text(path, std::string(kLabelHeader) + "8\n" + label_lines(9));
  message = format_error_message(path, [&] { read_freesurfer_label(path); });
  EXPECT_NE(message.find("found 9"), std::string::npos) << message;

  // A correct file, with a blank line at the end, reads.
  write_text(path, std::string(kLabelHeader) + "9\n" + label_lines(9) + "\n");
  EXPECT_EQ(read_freesurfer_label(path).vertices.size(), 9u);
}

TEST(SurfaceLabel, GarbledLinesAreFormatErrorsNamingTheLine) {
  ScratchDirectory scratch;
  const fs::path path = scratch / "garbled.label";
  struct Case {
    std::string bad_line;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"40  -1.000  abc  3.500 0.5", "line 7: y: expected a number, found 'abc'"},
      {"40  -1.000  2.000  3.500", "line 7: expected 5 fields"},
      {"40  -1.000  2.000  3.500 0.5 9", "line 7: expected 5 fields"},
      {"4x0  -1.000  2.000  3.500 0.5", "line 7: vertex number: expected an integer, found '4x0'"},
      {"4.0  -1.000  2.000  3.500 0.5", "line 7: vertex number: expected an integer"},
      {"-3  -1.000  2.000  3.500 0.5", "line 7: vertex number: expected a non-negative integer, found '-3'"},
      {"40  -1.000  2.000  3.500 0.5e", "line 7: value: expected a number"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.bad_line);
    write_text(path, std::string(kLabelHeader) + "9\n" + label_lines(4) + c.bad_line + "\n" + label_lines(4));
    const std::string message = format_error_message(path, [&] { read_freesurfer_label(path); });
    EXPECT_NE(message.find(c.expected), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  write_text(path, std::string(kLabelHeader) + "nine\n" + label_lines(9));
  EXPECT_NE(format_error_message(path, [&] { read_freesurfer_label(path); }).find("line 2: expected the vertex count"),
            std::string::npos);
  write_text(path, "9\n" + label_lines(9));
  EXPECT_NE(format_error_message(path, [&] { read_freesurfer_label(path); }).find("line 1: expected a comment line"),
            std::string::npos);
  write_text(path, "");
  format_error_message(path, [&] { read_freesurfer_label(path); });
  EXPECT_THROW(read_freesurfer_label(scratch / "missing.label"), FormatError);
}

// ---------------------------------------------------------------------------------------------
// Annotations: both colour-table formats, damaged files.

// Five vertex/value pairs for a 5-vertex surface: vertex 2 is not listed (vertex 4 is listed twice,
// the later pair wins), vertex 3 has value 0, vertex 4 a value no colour-table entry has.
std::vector<char> annotation_pairs() {
  std::vector<char> out;
  append_i32(out, 5);
  const std::int32_t pairs[][2] = {{0, packed(20, 30, 40)}, {1, packed(1, 2, 3)}, {3, 0}, {4, -1}, {4, packed(9, 9, 9)}};
  for (const auto& pair : pairs) {
    append_i32(out, pair[0]);
    append_i32(out, pair[1]);
  }
  append_i32(out, 1);  // colour table follows
  return out;
}

TEST(SurfaceLabel, OldFormatColourTableReads) {
  ScratchDirectory scratch;
  std::vector<char> bytes = annotation_pairs();
  append_i32(bytes, 2);  // old format: 2 entries
  append_string(bytes, "/usr/local/freesurfer/FreeSurferColorLUT.txt");
  append_string(bytes, "first");
  for (const int value : {1, 2, 3, 0}) append_i32(bytes, value);
  append_string(bytes, "second");
  for (const int value : {20, 30, 40, 55}) append_i32(bytes, value);
  visalign::testing::write_bytes(scratch / "old.annot", bytes);
  const Parcellation parcellation = read_freesurfer_annotation(scratch / "old.annot");
  ASSERT_EQ(parcellation.regions.size(), 2u);
  EXPECT_EQ(parcellation.regions[0].name, "first");
  EXPECT_EQ(parcellation.regions[1].name, "second");
  EXPECT_EQ(parcellation.regions[1].key, packed(20, 30, 40));
  EXPECT_EQ(parcellation.regions[1].rgba, (std::array<int, 4>{20, 30, 40, 200}));
  EXPECT_EQ(parcellation.vertex_region, (std::vector<std::int32_t>{1, 0, -1, -1, -1}));
}

TEST(SurfaceLabel, NewFormatColourTableReads) {
  ScratchDirectory scratch;
  std::vector<char> bytes = annotation_pairs();
  append_i32(bytes, -2);  // new format, version 2
  append_i32(bytes, 5);   // table size
  append_string(bytes, "lut.txt");
  append_i32(bytes, 2);  // entries present
  append_i32(bytes, 0);
  append_string(bytes, "first");
  for (const int value : {1, 2, 3, 0}) append_i32(bytes, value);
  append_i32(bytes, 4);
  append_string(bytes, "second");
  for (const int value : {20, 30, 40, 0}) append_i32(bytes, value);
  visalign::testing::write_bytes(scratch / "new.annot", bytes);
  const Parcellation parcellation = read_parcellation(scratch / "new.annot");
  ASSERT_EQ(parcellation.regions.size(), 2u);
  EXPECT_EQ(parcellation.regions[1].name, "second");
  EXPECT_EQ(parcellation.regions[1].rgba, (std::array<int, 4>{20, 30, 40, 255}));
  EXPECT_EQ(parcellation.vertex_region, (std::vector<std::int32_t>{1, 0, -1, -1, -1}));

  // A structure index outside the table, and a version other than 2.
  std::vector<char> bad = bytes;
  const std::size_t second_index = bytes.size() - 4 * 4 - (4 + 7) - 4;
  bad[second_index + 3] = 5;
  visalign::testing::write_bytes(scratch / "bad.annot", bad);
  EXPECT_NE(format_error_message(scratch / "bad.annot", [&] { read_freesurfer_annotation(scratch / "bad.annot"); })
                .find("structure index: expected 0 to 4"),
            std::string::npos);
  bad = bytes;
  bad[annotation_pairs().size() + 3] = static_cast<char>(0xfd);  // -3
  visalign::testing::write_bytes(scratch / "bad.annot", bad);
  EXPECT_NE(format_error_message(scratch / "bad.annot", [&] { read_freesurfer_annotation(scratch / "bad.annot"); })
                .find("colour table version: expected 2"),
            std::string::npos);
}

TEST(SurfaceLabel, TruncatedAnnotationIsAFormatError) {
  const fs::path real = visalign::testing::shared_data("fsaverage5/label/lh.aparc.annot");
  VISALIGN_REQUIRE_FILE(real);
  ScratchDirectory scratch;
  const std::vector<char> bytes = visalign::testing::read_bytes(real);
  const std::size_t pairs_end = 4 + 8 * 10242;
  for (const std::size_t size : {std::size_t{0}, std::size_t{2}, std::size_t{100}, pairs_end, pairs_end + 6,
                                 pairs_end + 40, bytes.size() - 1}) {
    SCOPED_TRACE(size);
    const fs::path path = scratch / "truncated.annot";
    visalign::testing::write_bytes(path, std::vector<char>(bytes.begin(), bytes.begin() + static_cast<long>(size)));
    const std::string message = format_error_message(path, [&] { read_parcellation(path); });
    EXPECT_NE(message.find("truncated"), std::string::npos) << message;
  }
}

TEST(SurfaceLabel, AnnotationVertexPastTheCountIsAFormatError) {
  const fs::path real = visalign::testing::shared_data("fsaverage5/label/lh.aparc.annot");
  VISALIGN_REQUIRE_FILE(real);
  ScratchDirectory scratch;
  std::vector<char> bytes = visalign::testing::read_bytes(real);
  // Pair 5's vertex number becomes 10242 (0x2802), one past the last vertex.
  const std::size_t offset = 4 + 8 * 5;
  bytes[offset] = 0;
  bytes[offset + 1] = 0;
  bytes[offset + 2] = 0x28;
  bytes[offset + 3] = 0x02;
  const fs::path path = scratch / "lh.bad.annot";
  visalign::testing::write_bytes(path, bytes);
  const std::string message = format_error_message(path, [&] { read_freesurfer_annotation(path); });
  EXPECT_NE(message.find("vertex number of pair 5: expected 0 to 10241"), std::string::npos) << message;
  EXPECT_NE(message.find("found 10242"), std::string::npos) << message;

  // A missing colour table.
  std::vector<char> no_table = annotation_pairs();
  no_table[no_table.size() - 1] = 0;
  visalign::testing::write_bytes(path, no_table);
  EXPECT_NE(format_error_message(path, [&] { read_freesurfer_annotation(path); }).find("colour table tag"),
            std::string::npos);
}

TEST(SurfaceLabel, GiftiWithoutLabelArrayIsAFormatError) {
  const fs::path directory = roi_fixtures().at("nibabel_gifti_dir").get<std::string>();
  const fs::path path = directory / "rh.shape.curv.gii";
  VISALIGN_REQUIRE_FILE(path);
  const std::string message = format_error_message(path, [&] { read_gifti_label(path); });
  EXPECT_NE(message.find("expected a NIFTI_INTENT_LABEL data array"), std::string::npos) << message;
}

}  // namespace
}  // namespace visalign::fmri
