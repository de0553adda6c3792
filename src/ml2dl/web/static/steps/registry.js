// The module's table of contents: the chapters (in order) and one entry per built step.
//
// A NEW STEP REGISTERS WITH ONE ENTRY in STEPS (anywhere in the list; the order on screen is the
// chapter's `plan` below):
//   { name: "loss", chapter: "learning", short: "Loss", title: "How wrong is the network?", module: "steps/loss.js" },
//     name     the stable URL name (?step=loss); lower case, letters, digits and "-"; never renamed
//     chapter  the id of a chapter below
//     short    the label in the step list (a word or two)
//     title    the page title (h1)
//     module   the step's ES module, relative to static/
//     number   only steps 1–9 have one: the old links ?step=1 … ?step=9 open them
// Only steps whose module exists are listed, so a planned step never shows as an empty page.
// A step missing from its chapter's plan is placed after the planned ones.

export const CHAPTERS = [
  { id: "networks", title: "Neurons and networks",
    plan: ["neuron", "playground", "activations", "layers", "perceptron"] },
  { id: "learning", title: "How a network learns",
    plan: ["loss", "descent", "backprop", "loop"] },
  { id: "images", title: "Networks for images",
    plan: ["images", "convolution", "kernels", "pooling", "pipeline"] },
  { id: "wrong", title: "When learning goes wrong",
    plan: ["overfitting", "vanishing"] },
  { id: "beyond", title: "Beyond images",
    plan: ["data", "rnn", "architectures", "quiz"] },
  { id: "clinic", title: "The clinic",
    plan: ["clinic-train", "clinic-roc", "clinic-mistakes", "clinic-image", "cases"] },
];

export const STEPS = [
  { name: "neuron", number: 1, chapter: "networks", short: "Neuron", title: "A neuron is logistic regression", module: "steps/step1.js" },
  { name: "playground", number: 2, chapter: "networks", short: "One neuron fails", title: "What one neuron cannot do", module: "steps/step2.js" },
  { name: "activations", number: 3, chapter: "networks", short: "Activations", title: "Why activation functions", module: "steps/step3.js" },
  { name: "layers", number: 4, chapter: "networks", short: "Layers", title: "Stack layers: deep learning", module: "steps/step4.js" },
  { name: "images", number: 5, chapter: "images", short: "Images", title: "Images are special", module: "steps/step5.js" },
  { name: "convolution", number: 6, chapter: "images", short: "Convolution", title: "Convolution", module: "steps/step6.js" },
  { name: "kernels", number: 7, chapter: "images", short: "Kernels", title: "Kernel explorer", module: "steps/step7.js" },
  { name: "pooling", number: 8, chapter: "images", short: "Pooling", title: "Pooling", module: "steps/step8.js" },
  { name: "pipeline", number: 9, chapter: "images", short: "CNN pipeline", title: "The full CNN pipeline", module: "steps/step9.js" },
  { name: "descent", chapter: "learning", short: "Gradient descent", title: "Gradient descent: walking down the loss", module: "steps/descent.js" },
  { name: "backprop", chapter: "learning", short: "Backpropagation", title: "Backpropagation, node by node", module: "steps/backprop.js" },
  { name: "loop", chapter: "learning", short: "Training loop", title: "The training loop", module: "steps/loop.js" },
  { name: "perceptron", chapter: "networks", short: "Perceptron", title: "The perceptron and logic", module: "steps/perceptron.js" },
  { name: "clinic-train", chapter: "clinic", short: "Train", title: "Train on chest images, keep the run", module: "steps/clinic-train.js" },
  { name: "clinic-roc", chapter: "clinic", short: "Read the ROC", title: "Read the ROC: choose an operating point", module: "steps/clinic-roc.js" },
  { name: "clinic-mistakes", chapter: "clinic", short: "Mistakes", title: "See the mistakes", module: "steps/clinic-mistakes.js" },
  { name: "clinic-image", chapter: "clinic", short: "Your image", title: "Your own image: window, probability, heatmap", module: "steps/clinic-image.js" },
  { name: "cases", chapter: "clinic", short: "Case studies", title: "Case studies: the papers, reproduced on our data", module: "steps/cases.js" },
  { name: "loss", chapter: "learning", short: "Loss", title: "How wrong is the network?", module: "steps/loss.js" },
  { name: "overfitting", chapter: "wrong", short: "Overfitting", title: "Overfitting and its cures", module: "steps/overfitting.js" },
  { name: "vanishing", chapter: "wrong", short: "Vanishing gradients", title: "Vanishing gradients", module: "steps/vanishing.js" },
  { name: "quiz", chapter: "beyond", short: "Quiz", title: "Quiz: work it out, then check", module: "steps/quiz.js" },
  { name: "architectures", chapter: "beyond", short: "Which network?", title: "Which network for which data", module: "steps/architectures.js" },
  { name: "data", chapter: "beyond", short: "Data as numbers", title: "Data as numbers", module: "steps/data.js" },
  { name: "rnn", chapter: "beyond", short: "Sequences (RNN)", title: "Sequences: a recurrent network on a patient's vital signs", module: "steps/rnn.js" },
];
