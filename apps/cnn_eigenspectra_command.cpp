// visalign cnn eigenspectra: the PCA eigenspectrum of each layer of a model to natural images and its
// power-law exponent alpha (seed 001; Stringer et al. 2019 report alpha ~ 1 for mouse V1), with a
// log-log plot of the spectra.

#include <cmath>
#include <cstdio>

#include "apps/commands.hpp"
#include "apps/layer_file_stem.hpp"
#include "apps/image_list.hpp"
#include "apps/layer_eigenspectra.hpp"
#include "apps/option_lists.hpp"
#include "apps/similarity_table.hpp"
#include "apps/svg_plot.hpp"
#include "fmri/tsv_table.hpp"

namespace visalign::apps {

namespace {

struct CnnEigenspectraOptions {
  ClassifierInputOptions model;
  std::string images;
  std::string layers;
  EigenspectrumSettings settings;
  std::string out;
};

void declare(CnnEigenspectraOptions& options, CommandDeclaration& declaration) {
  declare_model_input(options.model, declaration);
  declaration.options.add_options()
      ("images", po::value(&options.images)->required()->value_name("DIR|TSV"),
       "natural images (a folder or a TSV with a 'file' column), resized to the model's input: at least --fit-last of them "
       "(stimuli/imagenet1000_224 has 1000)")
      ("layers", po::value(&options.layers)->default_value(""), "comma-separated layers as 'cnn layers' lists them (default: every layer)")
      ("fit-first", po::value(&options.settings.fit_first)->default_value(options.settings.fit_first),
       "first eigenvalue index (1-based) of the power-law fit")
      ("fit-last", po::value(&options.settings.fit_last)->default_value(options.settings.fit_last),
       "last eigenvalue index of the power-law fit (the images give images - 1 eigenvalues)")
      ("memory-gib", po::value(&options.settings.memory_gib)->default_value(options.settings.memory_gib),
       "activations held in memory at once; layers are read in groups that fit, one pass of the images each")
      ("out", po::value(&options.out)->required()->value_name("DIR"),
       "output folder: summary.tsv (layer, units, alpha, fit), <layer>.spectrum.tsv per layer, eigenspectra.svg (+ .json provenance)");
}

void run(const CnnEigenspectraOptions& options, RunContext& context) {
  // Checked before the long work (and before the output folder is made): the image count against the fit range, the model, the layers, the images decode.
  const ImageList list = read_image_list(options.images);
  require_images_for_fit(static_cast<std::int64_t>(list.files.size()), options.settings);
  context.provenance().add_input(options.images);
  const LayerModel model = LayerModel::load(options.model, context);
  const std::vector<std::string> layers = model.chosen_layers(options.layers, "--layers");
  const cnn::ImageBatch images = cnn::load_images(list.files, model.file_preprocessing());
  const std::filesystem::path folder = options.out;
  std::filesystem::create_directories(folder);
  context.check_output_location(folder / "summary.tsv");
  std::printf("%s: %zu layers, %lld images of %lld x %lld x %lld\n", model.description().c_str(), layers.size(),
              static_cast<long long>(images.count), static_cast<long long>(images.channels), static_cast<long long>(images.height),
              static_cast<long long>(images.width));

  const std::vector<LayerEigenspectrum> spectra = layer_eigenspectra(model, images, layers, options.settings, context);

  fmri::TsvTable summary;
  summary.columns = {"layer", "units", "images", "alpha", "r_squared", "fit_first", "fit_last", "points_used", "nonpositive_left_out"};
  Plot plot;
  plot.title = "Eigenspectra of " + model.description();
  plot.x_label = "PC index";
  plot.y_label = "eigenvalue / first eigenvalue";
  plot.log_x = plot.log_y = true;
  for (const LayerEigenspectrum& spectrum : spectra) {
    summary.rows.push_back({spectrum.layer, std::to_string(spectrum.units), std::to_string(images.count), table_number(spectrum.fit.alpha),
                            table_number(spectrum.fit.r_squared), std::to_string(spectrum.fit.first_index),
                            std::to_string(spectrum.fit.last_index), std::to_string(spectrum.fit.points_used),
                            std::to_string(spectrum.fit.nonpositive_left_out)});
    fmri::TsvTable table;
    table.columns = {"index", "eigenvalue", "fraction_of_positive_total"};
    double total = 0;
    for (Eigen::Index i = 0; i < spectrum.eigenvalues.size(); ++i) total += std::max(0.0, spectrum.eigenvalues(i));
    PlotSeries series;
    series.label = spectrum.layer + " (alpha " + table_number(spectrum.fit.alpha).substr(0, 5) + ")";
    for (Eigen::Index i = 0; i < spectrum.eigenvalues.size(); ++i) {
      table.rows.push_back({std::to_string(i + 1), table_number(spectrum.eigenvalues(i)), table_number(total > 0 ? spectrum.eigenvalues(i) / total : NAN)});
      series.x.push_back(static_cast<double>(i + 1));
      series.y.push_back(spectrum.eigenvalues(i) / spectrum.eigenvalues(0));
    }
    plot.series.push_back(std::move(series));
    const std::filesystem::path file = folder / (layer_file_stem(spectrum.layer) + ".spectrum.tsv");
    fmri::write_tsv(table, file);
    context.finished_output(file);
    std::printf("%-16s units %9lld  alpha %s (r^2 %s, indices %d..%d)\n", spectrum.layer.c_str(), static_cast<long long>(spectrum.units),
                table_number(spectrum.fit.alpha).c_str(), table_number(spectrum.fit.r_squared).c_str(), spectrum.fit.first_index,
                spectrum.fit.last_index);
  }
  write_svg(plot, folder / "eigenspectra.svg");
  fmri::write_tsv(summary, folder / "summary.tsv");
  context.finished_output(folder / "summary.tsv");
}

}  // namespace

Command cnn_eigenspectra_command() { return make_command<CnnEigenspectraOptions>(cnn_eigenspectra_info(), declare, run); }

}  // namespace visalign::apps
