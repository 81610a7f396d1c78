using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace MoodBot.Vision;

/// <summary>Configuration section <c>MoodBot:Vision</c>.</summary>
public sealed class VisionOptions
{
    public const string Section = "MoodBot:Vision";

    /// <summary>
    /// Emotion model; relative paths resolve against the application's base directory, not the working directory. The
    /// default is the int8 quantisation of <c>models/emotion.onnx</c> (same accuracy, a fraction of the cost: models/README.md).
    /// </summary>
    [Required]
    public string EmotionModelPath { get; set; } = "models/emotion.int8.onnx";

    /// <summary>
    /// Face detection network (BlazeFace, 256×256, ONNX). Empty: detect with <see cref="FaceCascadePath"/> instead, the
    /// paper's approach, ~10× slower.
    /// </summary>
    public string? FaceModelPath { get; set; } = "models/blazeface_back_256.onnx";

    /// <summary>
    /// Network confidence (0..1) a face needs; lower finds more faces and more false ones. Chosen on the development set
    /// (docs/vision.md): the knee where false faces on single portraits fall from 8 to 3 per 400 and recall is still 0.85.
    /// </summary>
    [Range(0.05, 0.99)]
    public double FaceScoreThreshold { get; set; } = 0.65;

    /// <summary>
    /// Second, finer detection level when the first finds no face or one narrower than this fraction of the short side
    /// (docs/vision.md: 0.15 found 4 % more faces on the development set but ran the second level on ordinary 4-person
    /// photos, ~5× the detection time, past the latency budget).
    /// </summary>
    [Range(0.0, 1.0)]
    public double FaceFineTrigger { get; set; } = 0.10;

    /// <summary>
    /// Faces the detector is less sure of than this are listed but do not move the mood (unless no face reaches it; then
    /// the surest face alone sets it).
    /// </summary>
    [Range(0.0, 1.0)]
    public double MoodFaceFloor { get; set; } = 0.75;

    /// <summary>OpenCV cascade used for face detection when no <see cref="FaceModelPath"/> is set.</summary>
    [Required]
    public string FaceCascadePath { get; set; } = "models/lbpcascade_frontalface.xml";

    /// <summary>
    /// Optional second cascade that must also see a face around each cascade candidate (not used with the network). Two detectors rarely share a false
    /// positive, so this removes most false faces (bookshelves, jackets) for ~1 ms per candidate. Empty: no verification.
    /// </summary>
    public string? VerifierCascadePath { get; set; } = "models/haarcascade_frontalface_alt2.xml";

    /// <summary>How many overlapping verifier hits confirm a candidate.</summary>
    [Range(1, 20)]
    public int VerifierMinNeighbors { get; set; } = 4;

    /// <summary>Photos larger than this are refused before decoding (Discord's own attachment cap for free users is 10 MB).</summary>
    [Range(1024, 200L * 1024 * 1024)]
    public long MaxBytes { get; set; } = 25L * 1024 * 1024;

    /// <summary>Width × height limit checked from the header, before any pixel is decoded (decompression bombs).</summary>
    [Range(1, 400_000_000)]
    public long MaxPixels { get; set; } = 50_000_000;

    /// <summary>Longest side of the grey image the detector scans; bigger photos are decoded reduced (JPEG DCT scaling) and shrunk.</summary>
    [Range(160, 8192)]
    public int DetectionMaxSide { get; set; } = 1280;

    /// <summary>Smallest face searched for, in pixels of the detection image.</summary>
    [Range(12, 1024)]
    public int MinFaceSize { get; set; } = 24;

    /// <summary>Fraction of the detected box added on each side so crops frame the face the way FER2013's do (measured: models/README.md).</summary>
    [Range(-0.3, 1.0)]
    public double FaceMargin { get; set; } = 0.1;

    /// <summary>Crop centre below the box centre, as a fraction of the box, so crops frame the face the way FER2013's do.</summary>
    [Range(-0.5, 0.5)]
    public double FaceShiftDown { get; set; }

    /// <summary>Rotate each face upright by the detector's eye points before cropping.</summary>
    public bool AlignFaces { get; set; } = true;

    /// <summary>Histogram-equalise each 48×48 crop (FER2013's copies are equalised; photos are not).</summary>
    public bool EqualizeCrops { get; set; }

    /// <summary>
    /// Faces beyond this many (largest first) are ignored: a stadium photo should not cost seconds. 64 keeps a 54-face
    /// group shot whole (32 dropped 22 of its faces) for ~3 ms per extra face (docs/vision.md).
    /// </summary>
    [Range(1, 256)]
    public int MaxFaces { get; set; } = 64;

    /// <summary>Step between detection scales; larger is faster and misses a few more in-between sizes.</summary>
    [Range(1.01, 2.0)]
    public double ScaleFactor { get; set; } = 1.1;

    /// <summary>Detector strictness; higher means fewer false faces and a few more misses.</summary>
    [Range(1, 20)]
    public int MinNeighbors { get; set; } = 5;

    /// <summary>ONNX Runtime intra-op threads; 1 keeps concurrent requests from fighting over cores.</summary>
    [Range(1, 64)]
    public int InferenceThreads { get; set; } = 1;

    /// <summary>
    /// ONNX Runtime graph optimisation for the emotion model. The int8 model needs at least Extended (its QDQ pairs are
    /// fused into integer kernels there); measured for both models in docs/performance.md.
    /// </summary>
    public GraphOptimizationLevel EmotionGraphOptimization { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>ONNX Runtime's CPU memory arena for the emotion model (measured: docs/performance.md).</summary>
    public bool EmotionMemoryArena { get; set; } = true;

    /// <summary>
    /// Keep one input and one output tensor per thread and face count instead of binding new ones each call
    /// (measured: docs/performance.md).
    /// </summary>
    public bool EmotionReuseTensors { get; set; }

    /// <summary>
    /// Photos decoded and analysed at once, across the whole process. Null: one per core, each also charged its own
    /// decoded size against <see cref="AnalysisMemoryBudgetMegabytes"/> (see <see cref="PhotoAnalysisLimits"/>).
    /// </summary>
    [Range(1, 256)]
    public int? MaxConcurrentAnalyses { get; set; }

    /// <summary>
    /// Photos that may wait for a free analysis slot; beyond that the member is told the bot is busy. 0: never wait.
    /// Null: four per slot. A waiting photo holds only its downloaded bytes (at most <see cref="MaxBytes"/>).
    /// </summary>
    [Range(0, 10_000)]
    public int? MaxQueuedAnalyses { get; set; }

    /// <summary>
    /// Decoded-pixel memory the analyses in flight may hold together: each is charged its photo's own pixels ×
    /// <see cref="PhotoAnalysisLimits.BytesPerPixel"/> (read from the header before decoding), so phone photos run one
    /// per core while 49-MP ones take turns. Ignored when <see cref="MaxConcurrentAnalyses"/> is set. 256 MB holds one
    /// 50-MP decode, which with the bot's own ~340 MB keeps a crowd of 49-MP photos under 600 MB (docs/performance.md).
    /// </summary>
    [Range(64, 1_048_576)]
    public int AnalysisMemoryBudgetMegabytes { get; set; } = 256;
}

[OptionsValidator]
public sealed partial class VisionOptionsValidator : IValidateOptions<VisionOptions>;
