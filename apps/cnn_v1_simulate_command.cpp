// visalign cnn v1-simulate: spike counts of a simulated V1 population (METHODS.md section 2, "V1 spike
// data"): a Gabor bank of simple and complex cells with De Valois preferred frequencies sees each image,
// and Poisson counts with repeats are drawn from its expected counts. The spikes are laid out as recordings
// are (stimuli x neurons x repeats), for `encoding eigenspectrum --responses` and the V1 predictivity.

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "apps/commands.hpp"
#include "apps/image_list.hpp"
#include "apps/image_montage.hpp"
#include "apps/similarity_table.hpp"
#include "apps/v1_model_options.hpp"
#include "cnn/v1_model.hpp"
#include "fmri/npy.hpp"
#include "fmri/tsv_table.hpp"
#include "surface/atomic_output.hpp"

namespace visalign::apps {

namespace {

struct CnnV1SimulateOptions {
  std::string images;
  cnn::V1ModelSpec spec;
  int repeats = 4;
  int batch_size = 100;
  int montage_cells = 32;
  std::string device = "auto";
  std::string out;
};

void declare(CnnV1SimulateOptions& options, CommandDeclaration& declaration) {
  declaration.options.add_options()
      ("images", po::value(&options.images)->required()->value_name("DIR|TSV"),
       "a folder of PNG/JPEG images (sorted by name), or a TSV with a 'file' column (paths relative to it); images of "
       "another size are resized (shorter side to --image-size) and centre-cropped; colour counts by the channels' mean")
      ("repeats", po::value(&options.repeats)->default_value(options.repeats), "Poisson draws (trials) per image and neuron")
      ("batch-size", po::value(&options.batch_size)->default_value(options.batch_size), "images per pass through the filter bank");
  declare_v1_model_options(options.spec, declaration);
  declaration.options.add_options()
      ("montage-cells", po::value(&options.montage_cells)->default_value(options.montage_cells),
       "Gabors shown in receptive_fields.png (half simple, half complex, from low to high frequency; 0: no picture)")
      ("device", po::value(&options.device)->default_value(options.device), "auto (a CUDA GPU when there is one, else the CPU), cpu or cuda")
      ("out", po::value(&options.out)->required()->value_name("DIR"),
       "output folder: spikes.npy (float32 stimuli x neurons x repeats), rates.npy (expected counts, stimuli x neurons), "
       "neurons.tsv, images.tsv (the stimuli in row order) and receptive_fields.png, each with a .json provenance sidecar");
}

/// A float32 C-order NPY of any shape, as numpy's np.save writes it (format 1.0), atomically. fmri/npy.hpp
/// writes 2-D matrices only; the spikes are 3-D.
void write_float_array_npy(const std::vector<float>& values, const std::vector<std::int64_t>& shape, const std::filesystem::path& path) {
  std::string dimensions;  // "3, 4, 5"; a 1-D shape keeps its comma: "3,"
  for (std::size_t d = 0; d < shape.size(); ++d) dimensions += (d ? ", " : "") + std::to_string(shape[d]);
  if (shape.size() == 1) dimensions += ",";
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dimensions + "), }";
  const std::size_t unpadded = 6 + 2 + 2 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header.push_back('\n');
  std::string bytes("\x93NUMPY\x01\x00", 8);
  bytes.push_back(static_cast<char>(header.size() & 0xff));
  bytes.push_back(static_cast<char>(header.size() >> 8));
  bytes += header;
  const std::size_t start = bytes.size();
  bytes.resize(start + values.size() * sizeof(float));
  for (std::size_t i = 0; i < values.size(); ++i) {  // little-endian whatever the host
    std::uint32_t word = 0;
    std::memcpy(&word, &values[i], sizeof word);
    for (int b = 0; b < 4; ++b) bytes[start + 4 * i + b] = static_cast<char>((word >> (8 * b)) & 0xff);
  }
  surface::write_bytes_atomically(path, bytes);
}

/// Parameters keep ten significant digits (table_number's six would not rebuild the same Gabors).
std::string parameter_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.10g", value);
  return text;
}

void write_neuron_table(const std::vector<cnn::V1Neuron>& neurons, const std::filesystem::path& path) {
  fmri::TsvTable table;
  table.columns = {"neuron", "type", "frequency_cpd", "orientation_deg", "phase_deg", "sigma_deg", "x_deg", "y_deg"};
  for (std::size_t n = 0; n < neurons.size(); ++n) {
    const cnn::V1Neuron& neuron = neurons[n];
    table.rows.push_back({std::to_string(n), neuron.type, parameter_text(neuron.frequency_cpd), parameter_text(neuron.orientation_deg),
                          parameter_text(neuron.phase_deg), parameter_text(neuron.sigma_deg), parameter_text(neuron.x_deg),
                          parameter_text(neuron.y_deg)});
  }
  fmri::write_tsv(table, path);
}

/// Up to `count` Gabors as grey tiles (0.5 + 0.5 G / max |G|): half simple, half complex cells, each group spread
/// evenly over its cells sorted by preferred frequency.
void write_receptive_field_montage(const cnn::V1Model& model, int count, const std::filesystem::path& path) {
  const std::vector<cnn::V1Neuron>& neurons = model.neurons();
  std::vector<std::size_t> chosen;
  for (const char* type : {"simple", "complex"}) {
    std::vector<std::size_t> of_type;
    for (std::size_t n = 0; n < neurons.size(); ++n) {
      if (neurons[n].type == type) of_type.push_back(n);
    }
    std::sort(of_type.begin(), of_type.end(), [&](std::size_t a, std::size_t b) { return neurons[a].frequency_cpd < neurons[b].frequency_cpd; });
    const std::size_t wanted = std::min<std::size_t>(of_type.size(), static_cast<std::size_t>(count / 2));
    for (std::size_t k = 0; k < wanted; ++k) chosen.push_back(of_type[wanted == 1 ? 0 : k * (of_type.size() - 1) / (wanted - 1)]);
  }
  if (chosen.empty()) return;
  const Eigen::MatrixXf fields = model.receptive_fields(chosen);
  const int size = model.spec().image_size;
  cnn::ImageBatch tiles;
  tiles.count = fields.rows();
  tiles.channels = 1;
  tiles.height = tiles.width = size;
  tiles.values.reserve(static_cast<std::size_t>(fields.size()));
  for (Eigen::Index r = 0; r < fields.rows(); ++r) {
    const float largest = std::max(fields.row(r).cwiseAbs().maxCoeff(), 1e-30f);
    for (Eigen::Index p = 0; p < fields.cols(); ++p) tiles.values.push_back(0.5f + 0.5f * fields(r, p) / largest);
  }
  write_image_montage(path, {&tiles}, 8, std::min(size, 256));
}

void run(const CnnV1SimulateOptions& options, RunContext& context) {
  if (options.repeats < 1) throw std::invalid_argument("--repeats: expected >= 1, found " + std::to_string(options.repeats));
  if (options.batch_size < 1) throw std::invalid_argument("--batch-size: expected >= 1, found " + std::to_string(options.batch_size));
  if (options.montage_cells < 0) throw std::invalid_argument("--montage-cells: expected >= 0, found " + std::to_string(options.montage_cells));
  cnn::validate_v1_model_spec(options.spec);
  const std::filesystem::path folder = options.out;
  const ImageList list = read_image_list(options.images);
  context.provenance().add_input(options.images);
  std::filesystem::create_directories(folder);
  context.check_output_location(folder / "spikes.npy");
  const cnn::V1Model model = cnn::V1Model::create(options.spec, options.device, context.global().threads);

  // [0, 1] pixels at the model's size; loaded a batch at a time so that large image sets need little memory.
  const cnn::Preprocessing preprocessing = v1_stimulus_preprocessing(options.spec);
  const auto stimuli = static_cast<Eigen::Index>(list.files.size());
  Eigen::MatrixXf rates(stimuli, static_cast<Eigen::Index>(model.neurons().size()));
  {
    ProgressBar progress = context.progress("V1 rates");
    for (Eigen::Index start = 0; start < stimuli; start += options.batch_size) {
      const Eigen::Index count = std::min<Eigen::Index>(options.batch_size, stimuli - start);
      const std::vector<std::filesystem::path> files(list.files.begin() + start, list.files.begin() + start + count);
      rates.middleRows(start, count) = model.rates(cnn::load_images(files, preprocessing), options.batch_size);
      progress.update(static_cast<std::size_t>(start + count), static_cast<std::size_t>(stimuli));
    }
    progress.finish();
  }
  const std::vector<float> spikes = model.spike_counts(rates, options.repeats, context.global().seed);

  const double nyquist = options.spec.image_size / (2 * options.spec.field_of_view);
  context.provenance().add_note("device", model.device());
  context.provenance().add_note("nyquist_cpd", nyquist);
  context.provenance().add_note("mean_rate", static_cast<double>(rates.mean()));
  context.provenance().add_note("layout", "spikes.npy: stimuli,neurons,repeats; rates.npy: stimuli x neurons");
  write_float_array_npy(spikes, {stimuli, rates.cols(), options.repeats}, folder / "spikes.npy");
  context.record_output(folder / "spikes.npy");
  fmri::write_float_npy(rates, folder / "rates.npy");
  context.record_output(folder / "rates.npy");
  write_neuron_table(model.neurons(), folder / "neurons.tsv");
  context.record_output(folder / "neurons.tsv");
  fmri::write_design(list.images, folder / "images.tsv");
  context.record_output(folder / "images.tsv");
  if (options.montage_cells > 0) {
    write_receptive_field_montage(model, options.montage_cells, folder / "receptive_fields.png");
    context.record_output(folder / "receptive_fields.png");
  }
  std::printf("%lld images x %zu neurons (%d simple, %d complex) x %d repeats on %s: mean expected count %s -> %s\n",
              static_cast<long long>(stimuli), model.neurons().size(), options.spec.simple_cells, options.spec.complex_cells,
              options.repeats, model.device().c_str(), table_number(rates.mean()).c_str(), (folder / "spikes.npy").string().c_str());
  if (nyquist < cnn::de_valois_v1_distribution().edges.back()) {
    std::printf("note: preferred frequencies stop at the images' Nyquist frequency, %s c/deg (De Valois reach 11.2)\n",
                table_number(nyquist).c_str());
  }
}

}  // namespace

Command cnn_v1_simulate_command() {
  return make_command<CnnV1SimulateOptions>(cnn_v1_simulate_info(), declare, run);
}

}  // namespace visalign::apps
