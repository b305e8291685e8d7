// ROI algebra, the design table and the subject manifest.

#include <gtest/gtest.h>

#include <fstream>

#include "fmri/design.hpp"
#include "fmri/roi.hpp"
#include "fmri/subject_manifest.hpp"
#include "fmri/tsv_table.hpp"
#include "surface/format_error.hpp"
#include "tests/scratch_directory.hpp"

namespace visalign::fmri {
namespace {

using visalign::testing::ScratchDirectory;

template <typename Action>
void expect_format_error(Action action, const std::string& fragment) {
  try {
    action();
    ADD_FAILURE() << "no error";
  } catch (const surface::FormatError& error) {
    EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
  }
}

TEST(Roi, AlgebraAndExpressions) {
  const std::map<std::string, Roi> rois = {{"A", make_roi("A", {5, 1, 3, 3, 9})},
                                           {"B", make_roi("B", {3, 4, 5})},
                                           {"lh.C_2", make_roi("lh.C_2", {1, 4})}};
  EXPECT_EQ(rois.at("A").vertices, (std::vector<std::int32_t>{1, 3, 5, 9}));
  EXPECT_EQ(roi_union(rois.at("A"), rois.at("B")).vertices, (std::vector<std::int32_t>{1, 3, 4, 5, 9}));
  EXPECT_EQ(roi_intersection(rois.at("A"), rois.at("B")).vertices, (std::vector<std::int32_t>{3, 5}));
  EXPECT_EQ(roi_difference(rois.at("A"), rois.at("B")).vertices, (std::vector<std::int32_t>{1, 9}));
  EXPECT_EQ(evaluate_roi_expression("A - B", rois).vertices, (std::vector<std::int32_t>{1, 9}));
  EXPECT_EQ(evaluate_roi_expression("A - B | lh.C_2", rois).vertices, (std::vector<std::int32_t>{1, 4, 9}));  // left to right
  EXPECT_EQ(evaluate_roi_expression("A - (B | lh.C_2)", rois).vertices, (std::vector<std::int32_t>{9}));
  EXPECT_EQ(evaluate_roi_expression("A + B & lh.C_2", rois).vertices, (std::vector<std::int32_t>{1, 4}));
  EXPECT_EQ(evaluate_roi_expression("A - B", rois).name, "A - B");
  EXPECT_TRUE(evaluate_roi_expression("B & lh.C_2 - B", rois).vertices.empty());
  for (const char* bad : {"A -", "(A - B", "A ^ B", "", "A - D"}) {
    EXPECT_THROW(evaluate_roi_expression(bad, rois), std::invalid_argument) << bad;
  }
  try {
    evaluate_roi_expression("A - hMT", rois);
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("unknown ROI 'hMT' (known: A, B, lh.C_2)"), std::string::npos) << error.what();
  }
  EXPECT_THROW(require_nonempty(evaluate_roi_expression("A & lh.C_2 - A", rois), "test"), std::runtime_error);
}

Design small_design() {
  Design design;
  for (int p = 1; p <= 2; ++p) {
    for (const char* type : {"RE", "AI"}) {
      for (const char* image : {"cat1", "cat2", "car1"}) design.columns.push_back({image, type, p, image[2] == 't' ? "cat" : "car"});
    }
  }
  design.columns.push_back({"blank", "blank", 0, ""});
  return design;
}

TEST(Design, RoundTripAndQueries) {
  ScratchDirectory scratch;
  write_design(small_design(), scratch / "design.tsv");
  const Design design = read_design(scratch / "design.tsv");
  check_design(design, 13, "design.tsv");
  EXPECT_EQ(design.image_types(), (std::vector<std::string>{"RE", "AI"}));
  EXPECT_EQ(design.presentations(), (std::vector<int>{1, 2}));
  EXPECT_EQ(design.image_ids(), (std::vector<std::string>{"cat1", "cat2", "car1"}));
  EXPECT_EQ(design.blank_column(), 12);
  EXPECT_EQ(design.columns_of("AI", 2), (std::vector<std::int64_t>{9, 10, 11}));
  EXPECT_EQ(design.categories().at("car1"), "car");
  EXPECT_THROW(design.columns_of("AN", 1), std::invalid_argument);
}

TEST(Design, RowsInAnyOrderWithAColumnColumn) {
  ScratchDirectory scratch;
  std::ofstream(scratch / "d.tsv") << "image_type\tpresentation\timage_id\tcolumn\n"
                                      "RE\t1\tb\t1\nRE\t1\ta\t0\nblank\tn/a\tblank\t2\n";
  const Design design = read_design(scratch / "d.tsv");
  check_design(design, 3, "d.tsv");
  EXPECT_EQ(design.columns[0].image_id, "a");
  EXPECT_EQ(design.blank_column(), 2);
}

TEST(Design, BadTablesNameTheProblem) {
  ScratchDirectory scratch;
  auto write = [&](const std::string& text) {
    std::ofstream(scratch / "bad.tsv") << text;
    return scratch / "bad.tsv";
  };
  expect_format_error([&] { read_design(write("image\ttype\n1\t2\n")); }, "expected a column named 'image_id'");
  expect_format_error([&] { read_design(write("image_id\timage_type\tpresentation\na\tRE\tfirst\n")); },
                      "row 1, presentation: expected an integer, found 'first'");
  expect_format_error([&] { read_design(write("image_id\timage_type\tpresentation\na\tRE\t1\na\tRE\t1\n")); },
                      "image a of type RE in presentation 1 is described twice");
  expect_format_error([&] { read_design(write("image_id\timage_type\tpresentation\na\tRE\n")); },
                      "line 2: expected 3 tab-separated cells, found 2");
  const Design design = small_design();
  expect_format_error([&] { check_design(design, 12, "d.tsv"); }, "describes column 12, but the betas have only 12");
  expect_format_error([&] { check_design(design, 15, "d.tsv"); }, "found no row for column(s) 13, 14");
}

TEST(Manifest, RoundTripAndErrors) {
  ScratchDirectory scratch;
  for (const char* file : {"lh.white", "lh.betas.func.gii", "design.tsv", "lh.V1.label", "loc.func.gii", "loc.tsv"}) {
    std::ofstream(scratch / file) << "x";
  }
  SubjectManifest manifest;
  manifest.subject = "sub-01";
  HemisphereFiles lh;
  lh.name = "lh";
  lh.white = scratch / "lh.white";
  lh.betas = scratch / "lh.betas.func.gii";
  lh.design = scratch / "design.tsv";
  lh.localizers["LO"] = {scratch / "loc.func.gii", scratch / "loc.tsv", {"intact", "scrambled", 0.01}};
  lh.rois["V1"] = {RoiSource::Kind::label, scratch / "lh.V1.label", "", "", "", ""};
  lh.rois["LOloc"] = {RoiSource::Kind::localizer, {}, "", "LO", "V1", ""};
  lh.rois["LOC"] = {RoiSource::Kind::expression, {}, "", "", "", "LOloc - V1"};
  manifest.hemispheres.push_back(lh);
  write_subject_manifest(manifest, scratch / "manifest.json");
  const std::string text = std::string(visalign::testing::read_bytes(scratch / "manifest.json").data(),
                                       visalign::testing::read_bytes(scratch / "manifest.json").size());
  EXPECT_NE(text.find("\"white\": \"lh.white\""), std::string::npos) << text;  // relative paths
  const SubjectManifest back = read_subject_manifest(scratch / "manifest.json");
  ASSERT_EQ(back.hemispheres.size(), 1u);
  EXPECT_EQ(back.subject, "sub-01");
  EXPECT_EQ(back.hemispheres[0].white, scratch / "lh.white");
  EXPECT_EQ(back.hemispheres[0].localizers.at("LO").contrast.p_threshold, 0.01);
  EXPECT_EQ(back.hemispheres[0].rois.at("LOloc").mask, "V1");
  EXPECT_EQ(back.hemispheres[0].rois.at("LOC").expression, "LOloc - V1");

  auto write = [&](const std::string& json) {
    std::ofstream(scratch / "m.json") << json;
    return scratch / "m.json";
  };
  const std::string base = R"("subject": "s", "hemispheres": {"lh": {"white": "lh.white", "design": "design.tsv", )";
  expect_format_error([&] { read_subject_manifest(write("{" + base + R"("betas": "nope.gii"}}})")); },
                      "hemispheres.lh.betas: file nope.gii does not exist");
  expect_format_error([&] { read_subject_manifest(write("{" + base + R"("betas": "lh.white", "colour": 1}}})")); },
                      "hemispheres.lh.colour: unknown key");
  expect_format_error([&] { read_subject_manifest(write(R"({"subject": "s", "hemispheres": {"lh": {"white": "lh.white"}}})")); },
                      "hemispheres.lh.betas: required, missing");
  expect_format_error([&] { read_subject_manifest(write("{" + base + R"("betas": "lh.white", "rois": {"X": {"localizer": "MT"}}}}})")); },
                      "hemispheres.lh.rois.X.localizer: no localizer named 'MT'");
  expect_format_error([&] { read_subject_manifest(write("{ not json")); }, "JSON: ");
  expect_format_error([&] { read_subject_manifest(write(R"({"subject": "s", "hemispheres": {"xh": {}}})")); },
                      "hemispheres.xh: expected lh or rh");
}

}  // namespace
}  // namespace visalign::fmri
