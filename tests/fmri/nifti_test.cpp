// NIfTI-1 and NIfTI-2 reading and surface-data writing: agreement with nibabel on nibabel's own
// test images (tests/fixtures/fmri_format_fixtures.json, made by make_fmri_format_fixtures.py),
// FreeSurfer's large-surface conventions checked against nibabel at test time, and bad files.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "fmri/nifti.hpp"
#include "surface/format_error.hpp"
#include "surface/mesh.hpp"
#include "tests/fixture_json.hpp"
#include "surface/file_bytes.hpp"
#include "tests/format_error_expectation.hpp"
#include "tests/scratch_directory.hpp"
#include "tests/test_data.hpp"

namespace visalign::fmri {
namespace {

namespace fs = std::filesystem;
using visalign::testing::format_error_of;
using visalign::surface::host_is_little_endian;
using nlohmann::json;
using visalign::testing::hex64;
using visalign::testing::ScratchDirectory;

const char* const kNibabelData = "/usr/lib/python3/dist-packages/nibabel/tests/data";
const char* const kPython = "/usr/bin/python3";

const json& fixtures() {
  static const json fixture = visalign::testing::read_fixture_json("fmri_format_fixtures.json");
  return fixture;
}

/// Surface data value(vertex, frame) = vertex * 0.001 + frame (the same formula as the inline
/// nibabel script below, computed in double and stored as float32).
Eigen::MatrixXf surface_values(Eigen::Index vertices, Eigen::Index frames) {
  Eigen::MatrixXf data(vertices, frames);
  for (Eigen::Index f = 0; f < frames; ++f) {
    for (Eigen::Index v = 0; v < vertices; ++v) data(v, f) = static_cast<float>(static_cast<double>(v) * 0.001 + static_cast<double>(f));
  }
  return data;
}

void patch(std::vector<char>& bytes, std::size_t offset, const void* value, std::size_t size) {
  ASSERT_LE(offset + size, bytes.size());
  std::memcpy(bytes.data() + offset, value, size);
}

// ---------------------------------------------------------------------------------------------
// (a) nibabel's test images.

TEST(NiftiAgainstNibabel, NibabelTestImagesMatchFixtures) {
  ASSERT_TRUE(host_is_little_endian());
  VISALIGN_REQUIRE_FILE(fs::path(kNibabelData));
  int checked = 0;
  for (const auto& [name, expected] : fixtures().at("nibabel_nifti").items()) {
    SCOPED_TRACE(name);
    const fs::path path = fs::path(kNibabelData) / name;
    VISALIGN_REQUIRE_FILE(path);
    const NiftiImage image = read_nifti(path);
    EXPECT_EQ(image.version, expected.at("version").get<int>());
    const auto dim = expected.at("dim").get<std::vector<std::int64_t>>();
    EXPECT_EQ(image.dimension_count, dim.at(0));
    for (std::size_t i = 0; i < 7; ++i) {
      EXPECT_EQ(image.dimensions[i], static_cast<std::int64_t>(i) < dim[0] ? dim[i + 1] : 1) << "dim " << i + 1;
    }
    EXPECT_EQ(image.datatype, expected.at("datatype").get<int>());
    EXPECT_EQ(image.scale_slope, expected.at("scl_slope").get<double>());
    EXPECT_EQ(image.scale_intercept, expected.at("scl_inter").get<double>());
    EXPECT_EQ(image.description, expected.at("descrip").get<std::string>());
    EXPECT_EQ(image.intent_name, expected.at("intent_name").get<std::string>());
    EXPECT_EQ(image.intent_code, expected.at("intent_code").get<int>());
    ASSERT_EQ(image.values.size(), expected.at("count").get<std::size_t>());
    EXPECT_EQ(hex64(surface::fnv1a64(image.values.data(), sizeof(double) * image.values.size())),
              expected.at("values_fnv1a64").get<std::string>());
    const json& first = expected.at("first_values");
    for (std::size_t k = 0; k < first.size(); ++k) {
      if (first[k].is_null()) {
        EXPECT_TRUE(std::isnan(image.values[k])) << "value " << k;
      } else {
        EXPECT_EQ(image.values[k], first[k].get<double>()) << "value " << k;
      }
    }
    double sum = 0;
    std::size_t nan_count = 0;
    for (double value : image.values) {
      if (std::isnan(value)) {
        ++nan_count;
      } else {
        sum += value;
      }
    }
    EXPECT_EQ(nan_count, expected.at("nan_count").get<std::size_t>());
    const double expected_sum = expected.at("sum").get<double>();
    EXPECT_NEAR(sum, expected_sum, 1e-12 * std::abs(expected_sum) + 1e-9);

    const json& surface_shape = expected.at("surface");
    if (surface_shape.is_null()) {
      const std::string message = format_error_of([&] { nifti_surface_data(image, path.string()); }, path);
      EXPECT_NE(message.find("expected vertices x 1 x 1 x frames, found "), std::string::npos) << message;
    } else {
      const Eigen::MatrixXf data = nifti_surface_data(image, path.string());
      ASSERT_EQ(data.rows(), surface_shape.at("vertices").get<Eigen::Index>());
      ASSERT_EQ(data.cols(), surface_shape.at("frames").get<Eigen::Index>());
      for (Eigen::Index i = 0; i < data.size(); ++i) {
        EXPECT_EQ(data.data()[i], static_cast<float>(image.values[static_cast<std::size_t>(i)]));
      }
    }
    ++checked;
  }
  // anatomical, example4d, example_nifti2, functional, reoriented_anat_moved, resampled_anat_moved,
  // row_major.dconn, standard
  EXPECT_GE(checked, 8);
}

TEST(NiftiAgainstNibabel, SurfaceErrorShowsTheShape) {
  const fs::path path = fs::path(kNibabelData) / "example4d.nii.gz";
  VISALIGN_REQUIRE_FILE(path);
  const NiftiImage image = read_nifti(path);
  const std::string message = format_error_of([&] { nifti_surface_data(image, path.string()); }, path);
  EXPECT_NE(message.find("expected vertices x 1 x 1 x frames, found 128 x 96 x 24 x 2"), std::string::npos) << message;
}

TEST(NiftiAgainstNibabel, HeaderImagePairsAreRefused) {
  VISALIGN_REQUIRE_FILE(fs::path(kNibabelData));
  int checked = 0;
  for (const auto& [name, magic] : fixtures().at("pair_headers").items()) {
    SCOPED_TRACE(name);
    const fs::path path = fs::path(kNibabelData) / name;
    VISALIGN_REQUIRE_FILE(path);
    const std::string message = format_error_of([&] { read_nifti(path); }, path);
    EXPECT_NE(message.find("magic: found \"" + magic.get<std::string>() + "\\x00\""), std::string::npos) << message;
    EXPECT_NE(message.find(".hdr/.img pair"), std::string::npos) << message;
    ++checked;
  }
  EXPECT_EQ(checked, 2);
  const fs::path analyze = fs::path(kNibabelData) / "analyze.hdr";
  VISALIGN_REQUIRE_FILE(analyze);
  const std::string message = format_error_of([&] { read_nifti(analyze); }, analyze);
  EXPECT_NE(message.find("an ANALYZE 7.5 header, which is not supported"), std::string::npos) << message;
}

// ---------------------------------------------------------------------------------------------
// (b) FreeSurfer's conventions for large surfaces, against nibabel at test time.

/// Runs nibabel on the files visalign wrote (it saves what it reads as raw float32 in file order
/// plus the header as it sees it) and has nibabel write the same data for visalign to read.
const char* const kNibabelScript = R"PY(
import json, sys, warnings
import numpy as np
import nibabel as nb
warnings.simplefilter("ignore")
scratch = sys.argv[1]
report = {}
for name in sys.argv[2:]:
    path = scratch + "/" + name
    image = nb.load(path)
    header_class = nb.Nifti2Header if isinstance(image, nb.Nifti2Image) else nb.Nifti1Header
    with nb.openers.ImageOpener(path) as stream:
        header = header_class.from_fileobj(stream, check=False)
    data = np.asarray(image.dataobj)
    data.ravel(order="F").astype("<f4").tofile(path + ".raw")
    report[name] = {"version": 2 if isinstance(image, nb.Nifti2Image) else 1,
                    "shape": [int(s) for s in image.shape], "dtype": data.dtype.str,
                    "dim": [int(d) for d in header["dim"]],
                    "glmin": int(header["glmin"]) if "glmin" in header else None}
for vertices, frames, version in ((163842, 3, 1), (40000, 2, 1), (40000, 2, 2), (500, 3, 1)):
    values = np.arange(vertices)[:, None] * 0.001 + np.arange(frames)[None, :]
    array = values.astype(np.float32).reshape(vertices, 1, 1, frames)
    image_class = nb.Nifti1Image if version == 1 else nb.Nifti2Image
    nb.save(image_class(array, np.eye(4)), f"{scratch}/nibabel_{vertices}_{frames}_v{version}.nii.gz")
with open(scratch + "/nibabel_report.json", "w") as stream:
    json.dump(report, stream)
)PY";

bool nibabel_available() {
  if (!fs::exists(kPython)) return false;
  return std::system((std::string(kPython) + " -c 'import nibabel' >/dev/null 2>&1").c_str()) == 0;
}

TEST(NiftiAgainstNibabel, LargeSurfacesRoundTripThroughNibabel) {
  if (!nibabel_available()) {
    if (visalign::testing::running_under_ci()) FAIL() << kPython << " with nibabel is needed under CI";
    GTEST_SKIP() << kPython << " with nibabel is not available";
  }
  ScratchDirectory scratch;
  struct Case {
    std::string name;
    Eigen::Index vertices, frames;
    int version;
    std::vector<std::int64_t> dim;  // as nibabel finds it in the header
    std::int64_t glmin;
  };
  const std::vector<Case> cases = {
      {"ico7.nii.gz", 163842, 3, 1, {4, 27307, 1, 6, 3, 1, 1, 1}, 0},
      {"long.nii", 40000, 2, 1, {4, -1, 1, 1, 2, 1, 1, 1}, 40000},
      {"long2.nii.gz", 40000, 2, 2, {4, 40000, 1, 1, 2, 1, 1, 1}, -1},
      {"small.nii", 500, 3, 1, {4, 500, 1, 1, 3, 1, 1, 1}, 0},
      {"single_frame.nii", 32767, 1, 1, {4, 32767, 1, 1, 1, 1, 1, 1}, 0},
  };
  std::string command = std::string(kPython) + " " + (scratch / "check.py").string() + " " + scratch.path().string();
  for (const Case& c : cases) {
    write_nifti_surface_data(surface_values(c.vertices, c.frames), scratch / c.name, c.version);
    command += " " + c.name;
  }
  std::ofstream(scratch / "check.py") << kNibabelScript;
  ASSERT_EQ(std::system(command.c_str()), 0) << command;

  std::ifstream report_stream(scratch / "nibabel_report.json");
  const json report = json::parse(report_stream);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const json& seen = report.at(c.name);
    EXPECT_EQ(seen.at("version").get<int>(), c.version);
    EXPECT_EQ(seen.at("shape").get<std::vector<std::int64_t>>(),
              (std::vector<std::int64_t>{c.vertices, 1, 1, c.frames}));
    EXPECT_EQ(seen.at("dtype").get<std::string>(), "<f4");
    EXPECT_EQ(seen.at("dim").get<std::vector<std::int64_t>>(), c.dim);
    if (c.glmin >= 0) {
      EXPECT_EQ(seen.at("glmin").get<std::int64_t>(), c.glmin);
    }
    const Eigen::MatrixXf expected = surface_values(c.vertices, c.frames);
    const std::vector<char> raw = visalign::testing::read_bytes(scratch / (c.name + ".raw"));
    ASSERT_EQ(raw.size(), sizeof(float) * static_cast<std::size_t>(expected.size()));
    EXPECT_EQ(std::memcmp(raw.data(), expected.data(), raw.size()), 0) << "nibabel read other values";
    // And visalign reads its own file back.
    EXPECT_EQ(nifti_surface_data(read_nifti(scratch / c.name), c.name), expected);
  }

  for (const std::string name : {"nibabel_163842_3_v1.nii.gz", "nibabel_40000_2_v1.nii.gz", "nibabel_40000_2_v2.nii.gz",
                                 "nibabel_500_3_v1.nii.gz"}) {
    SCOPED_TRACE(name);
    const NiftiImage image = read_nifti(scratch / name);
    const Eigen::MatrixXf data = nifti_surface_data(image, name);
    const Eigen::Index vertices = std::stol(name.substr(8)), frames = name.find("_3_") != std::string::npos ? 3 : 2;
    EXPECT_EQ(image.version, name.find("_v2") != std::string::npos ? 2 : 1);
    EXPECT_EQ(data, surface_values(vertices, frames));
  }
  // nibabel writes the conventions it reads: ico7 as 27307 x 1 x 6, long vectors as -1 with glmin.
  const NiftiImage ico7 = read_nifti(scratch / "nibabel_163842_3_v1.nii.gz");
  EXPECT_EQ(ico7.dimensions[0], 27307);
  EXPECT_EQ(ico7.dimensions[2], 6);
  EXPECT_EQ(read_nifti(scratch / "nibabel_40000_2_v1.nii.gz").dimensions[0], -1);
}

// ---------------------------------------------------------------------------------------------
// (c) Writing and reading without nibabel.

TEST(Nifti, WriterHeaderFollowsNibabelConventions) {
  ScratchDirectory scratch;
  write_nifti_surface_data(surface_values(163842, 2), scratch / "ico7.nii", 1);
  write_nifti_surface_data(surface_values(40000, 1), scratch / "long.nii", 1);
  write_nifti_surface_data(surface_values(40000, 1), scratch / "long2.nii", 2);
  const std::vector<char> ico7 = visalign::testing::read_bytes(scratch / "ico7.nii");
  std::int16_t dim[8];
  std::memcpy(dim, ico7.data() + 40, sizeof dim);
  EXPECT_EQ(std::vector<std::int16_t>(dim, dim + 8), (std::vector<std::int16_t>{4, 27307, 1, 6, 2, 1, 1, 1}));
  EXPECT_EQ(ico7.size(), 352u + 4u * 163842u * 2u);
  EXPECT_EQ(std::string(ico7.data() + 344, 8), std::string("n+1\0\0\0\0\0", 8));  // magic, zero extension flag
  float vox_offset;
  std::memcpy(&vox_offset, ico7.data() + 108, 4);
  EXPECT_EQ(vox_offset, 352.0f);

  const std::vector<char> long_vector = visalign::testing::read_bytes(scratch / "long.nii");
  std::memcpy(dim, long_vector.data() + 40, sizeof dim);
  EXPECT_EQ(std::vector<std::int16_t>(dim, dim + 8), (std::vector<std::int16_t>{4, -1, 1, 1, 1, 1, 1, 1}));
  std::int32_t glmin;
  std::memcpy(&glmin, long_vector.data() + 144, 4);
  EXPECT_EQ(glmin, 40000);

  const std::vector<char> version2 = visalign::testing::read_bytes(scratch / "long2.nii");
  EXPECT_EQ(std::string(version2.data() + 4, 8), std::string("n+2\0\r\n\032\n", 8));
  std::int64_t dim64[8], offset64;
  std::memcpy(dim64, version2.data() + 16, sizeof dim64);
  std::memcpy(&offset64, version2.data() + 168, 8);
  EXPECT_EQ(std::vector<std::int64_t>(dim64, dim64 + 8), (std::vector<std::int64_t>{4, 40000, 1, 1, 1, 1, 1, 1}));
  EXPECT_EQ(offset64, 544);
  EXPECT_EQ(version2.size(), 544u + 4u * 40000u);
}

TEST(Nifti, RoundTripBothVersionsPlainAndCompressed) {
  ScratchDirectory scratch;
  const Eigen::MatrixXf data = Eigen::MatrixXf::Random(1234, 5);
  for (int version : {1, 2}) {
    for (const std::string suffix : {".nii", ".nii.gz"}) {
      const fs::path path = scratch / ("v" + std::to_string(version) + suffix);
      write_nifti_surface_data(data, path, version);
      const NiftiImage image = read_nifti(path);
      EXPECT_EQ(image.version, version);
      EXPECT_EQ(image.dimension_count, 4);
      EXPECT_EQ(image.datatype, 16);
      EXPECT_EQ(nifti_surface_data(image, path.string()), data);
      const std::vector<char> bytes = visalign::testing::read_bytes(path);
      EXPECT_EQ(bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
                    static_cast<unsigned char>(bytes[1]) == 0x8b,
                suffix == ".nii.gz");
    }
  }
  EXPECT_EQ(scratch.entries().size(), 4u) << "no temporary files left behind";
}

TEST(Nifti, ExtensionNames) {
  EXPECT_TRUE(has_nifti_extension("a/b/sub-01_bold.nii"));
  EXPECT_TRUE(has_nifti_extension("lh.func.nii.gz"));
  EXPECT_FALSE(has_nifti_extension("lh.func.gii"));
  EXPECT_FALSE(has_nifti_extension("image.hdr"));
  EXPECT_FALSE(has_nifti_extension("data.gz"));
}

TEST(Nifti, WriterRefusesWhatNifti1CannotHold) {
  ScratchDirectory scratch;
  EXPECT_THROW(write_nifti_surface_data(Eigen::MatrixXf::Zero(3, 40000), scratch / "frames.nii", 1), std::invalid_argument);
  EXPECT_THROW(write_nifti_surface_data(Eigen::MatrixXf::Zero(3, 2), scratch / "version.nii", 3), std::invalid_argument);
  EXPECT_TRUE(scratch.entries().empty());
  write_nifti_surface_data(Eigen::MatrixXf::Zero(3, 40000), scratch / "frames.nii", 2);  // NIfTI-2 can
  EXPECT_EQ(read_nifti(scratch / "frames.nii").dimensions[3], 40000);
}

/// A small NIfTI-1 surface file (10 vertices, 2 frames) as bytes, to damage on purpose.
std::vector<char> small_nifti1(const ScratchDirectory& scratch) {
  write_nifti_surface_data(surface_values(10, 2), scratch / "small.nii", 1);
  return visalign::testing::read_bytes(scratch / "small.nii");
}

TEST(Nifti, ScalingVoxOffsetAndByteOrder) {
  ScratchDirectory scratch;
  std::vector<char> bytes = small_nifti1(scratch);
  const Eigen::MatrixXf values = surface_values(10, 2);

  // scl_slope 2, scl_inter 0.5 are applied; slope 0 and NaN mean no scaling.
  const float slope = 2.0f, intercept = 0.5f, zero = 0.0f, not_a_number = std::nanf("");
  std::vector<char> scaled = bytes;
  patch(scaled, 112, &slope, 4);
  patch(scaled, 116, &intercept, 4);
  visalign::testing::write_bytes(scratch / "scaled.nii", scaled);
  const NiftiImage image = read_nifti(scratch / "scaled.nii");
  EXPECT_EQ(image.scale_slope, 2.0);
  EXPECT_EQ(image.scale_intercept, 0.5);
  EXPECT_EQ(image.values[3], static_cast<double>(values(3, 0)) * 2.0 + 0.5);
  for (const float* unscaled : {&zero, &not_a_number}) {
    std::vector<char> copy = scaled;
    patch(copy, 112, unscaled, 4);
    visalign::testing::write_bytes(scratch / "unscaled.nii", copy);
    const NiftiImage plain = read_nifti(scratch / "unscaled.nii");
    EXPECT_EQ(plain.scale_slope, 1.0);
    EXPECT_EQ(plain.scale_intercept, 0.0);
    EXPECT_EQ(nifti_surface_data(plain, "unscaled"), values);
  }

  // Data after a 48-byte extension: vox_offset 400.
  std::vector<char> extended(bytes.begin(), bytes.begin() + 352);
  extended[348] = 1;  // extension flag
  const std::int32_t extension_header[2] = {48, 0};
  extended.insert(extended.end(), reinterpret_cast<const char*>(extension_header),
                  reinterpret_cast<const char*>(extension_header) + 8);
  extended.resize(400, 'x');
  extended.insert(extended.end(), bytes.begin() + 352, bytes.end());
  const float offset = 400.0f;
  patch(extended, 108, &offset, 4);
  visalign::testing::write_bytes(scratch / "extended.nii", extended);
  EXPECT_EQ(nifti_surface_data(read_nifti(scratch / "extended.nii"), "extended"), values);

  // The whole file byte-swapped field by field: big-endian NIfTI-1.
  std::vector<char> big = bytes;
  auto swap = [&big](std::size_t offset, std::size_t size) { std::reverse(big.begin() + offset, big.begin() + offset + size); };
  swap(0, 4);
  for (std::size_t i = 0; i < 8; ++i) swap(40 + 2 * i, 2);
  swap(70, 2);
  swap(72, 2);
  for (std::size_t i = 0; i < 8; ++i) swap(76 + 4 * i, 4);
  swap(108, 4);
  swap(112, 4);
  swap(116, 4);
  for (std::size_t i = 352; i < big.size(); i += 4) swap(i, 4);
  visalign::testing::write_bytes(scratch / "big.nii", big);
  EXPECT_EQ(nifti_surface_data(read_nifti(scratch / "big.nii"), "big"), values);
}

TEST(Nifti, DamagedFilesNameTheFileAndField) {
  ScratchDirectory scratch;
  const std::vector<char> bytes = small_nifti1(scratch);
  auto damaged = [&scratch](const std::string& name, const std::vector<char>& content) {
    visalign::testing::write_bytes(scratch / name, content);
    return scratch / name;
  };
  auto message_for = [](const fs::path& path) { return format_error_of([&] { read_nifti(path); }, path); };

  const fs::path short_header = damaged("short_header.nii", std::vector<char>(bytes.begin(), bytes.begin() + 200));
  EXPECT_NE(message_for(short_header).find("truncated in header: expected 348 bytes (NIfTI-1), found 200"), std::string::npos);

  const fs::path short_data = damaged("short_data.nii", std::vector<char>(bytes.begin(), bytes.end() - 8));
  EXPECT_NE(message_for(short_data).find("truncated in data: expected 20 float32 values"), std::string::npos)
      << message_for(short_data);

  std::vector<char> copy = bytes;
  std::memcpy(copy.data() + 344, "abc", 4);
  EXPECT_NE(message_for(damaged("magic.nii", copy)).find("magic: expected \"n+1\" followed by a zero byte"),
            std::string::npos);

  copy = bytes;
  std::memcpy(copy.data() + 344, "ni1", 4);
  EXPECT_NE(message_for(damaged("pair.nii", copy)).find(".hdr/.img pair"), std::string::npos);

  copy = bytes;
  std::memset(copy.data(), 0, 4);
  EXPECT_NE(message_for(damaged("sizeof.nii", copy)).find("sizeof_hdr: expected 348 (NIfTI-1) or 540 (NIfTI-2)"),
            std::string::npos);

  for (const auto& [code, name] : std::vector<std::pair<std::int16_t, std::string>>{
           {32, "32 (complex64)"}, {128, "128 (RGB24)"}, {2304, "2304 (RGBA32)"}, {1, "1 (binary (1 bit))"}, {77, "77 (not"}}) {
    copy = bytes;
    patch(copy, 70, &code, 2);
    const std::string message = message_for(damaged("datatype.nii", copy));
    EXPECT_NE(message.find("datatype: expected a real number type"), std::string::npos) << message;
    EXPECT_NE(message.find("found " + name), std::string::npos) << message;
  }

  copy = bytes;
  const std::int16_t negative = -3;
  patch(copy, 44, &negative, 2);
  EXPECT_NE(message_for(damaged("negative.nii", copy)).find("dim[2]: expected a non-negative size, found -3"),
            std::string::npos);

  copy = bytes;
  const std::int16_t minus_one = -1;
  patch(copy, 42, &minus_one, 2);  // FreeSurfer's -1 without a vertex count in glmin
  EXPECT_NE(message_for(damaged("glmin.nii", copy)).find("glmin: expected the vertex count"), std::string::npos);

  copy = bytes;
  const std::int16_t eight = 8;
  patch(copy, 40, &eight, 2);
  EXPECT_NE(message_for(damaged("rank.nii", copy)).find("dim[0]: expected a number of dimensions from 1 to 7, found 8"),
            std::string::npos);

  copy = bytes;
  const float slope = 1.5f, infinite = INFINITY;
  patch(copy, 112, &slope, 4);
  patch(copy, 116, &infinite, 4);
  EXPECT_NE(message_for(damaged("intercept.nii", copy)).find("scl_inter: expected a finite intercept"), std::string::npos);

  copy = bytes;
  const float far = 1e6f;
  patch(copy, 108, &far, 4);
  EXPECT_NE(message_for(damaged("offset.nii", copy)).find("vox_offset is 1000000"), std::string::npos);

  // A NIfTI-2 file damaged by an end-of-line conversion.
  write_nifti_surface_data(surface_values(10, 2), scratch / "v2.nii", 2);
  copy = visalign::testing::read_bytes(scratch / "v2.nii");
  copy[8] = '\n';
  EXPECT_NE(message_for(damaged("eol.nii", copy)).find("end-of-line conversion"), std::string::npos);
  EXPECT_NE(message_for(damaged("short2.nii", std::vector<char>(copy.begin(), copy.begin() + 400)))
                .find("truncated in header: expected 540 bytes (NIfTI-2), found 400"),
            std::string::npos);

  EXPECT_NE(message_for(scratch / "missing.nii").find("cannot open"), std::string::npos);
}

TEST(Nifti, NonSurfaceShapesAreRefused) {
  NiftiImage image;
  image.dimension_count = 4;
  image.dimensions = {91, 109, 91, 2, 1, 1, 1};
  image.values.assign(91 * 109 * 91 * 2, 0.0);
  try {
    nifti_surface_data(image, "volume.nii");
    FAIL() << "no error";
  } catch (const surface::FormatError& error) {
    EXPECT_EQ(std::string(error.what()), "volume.nii: dim: expected vertices x 1 x 1 x frames, found 91 x 109 x 91 x 2");
  }
  // (27307, 1, 6) is FreeSurfer's ico7 only in NIfTI-1; (V, 1, 1) with frames in dims 4..7.
  image.dimensions = {27307, 1, 6, 2, 1, 1, 1};
  image.values.assign(163842 * 2, 1.0);
  EXPECT_EQ(nifti_surface_data(image, "ico7").rows(), 163842);
  image.version = 2;
  EXPECT_THROW(nifti_surface_data(image, "ico7 v2"), surface::FormatError);
  image.version = 1;
  image.dimension_count = 6;
  image.dimensions = {10, 1, 1, 1, 3, 2, 1};
  image.values.assign(60, 0.0);
  const Eigen::MatrixXf data = nifti_surface_data(image, "frames");
  EXPECT_EQ(data.rows(), 10);
  EXPECT_EQ(data.cols(), 6);
}

}  // namespace
}  // namespace visalign::fmri
