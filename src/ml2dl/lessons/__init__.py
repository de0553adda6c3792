"""One module per step of the web module: pure functions returning plain results.

Each lesson function checks its arguments up front with ``ml2dl.checks``
(``InputError``, saying what was expected and what was received), computes with the engine
(``ml2dl.nn``) or NumPy, and returns a JSON-ready ``dict`` of Python floats, ints,
strings and lists: no NumPy types, no web objects. The routes in
``ml2dl.web.routes`` validate requests and return these dicts unchanged; the
browser only draws them.

    neuron       step 1  a neuron is logistic regression
    playground   step 2  what one neuron cannot do
    activations  step 3  why activation functions
    layers       step 4  stack layers: parameter counts
    images       step 5  images are special
    translation  step 5  moved images (equivariance, pooling, the dense end) and the findings in words
    convolution  step 6  convolution vs fully connected parameter counts
    kernels      step 7  kernel explorer
    pooling      step 8  max / average pooling
    pipeline     step 9  the full CNN pipeline

How a network learns (steps named by their URL names):

    perceptron   perceptron  the perceptron, logic gates, XOR, the learning rule
    loss         loss        binary losses, BMI regression, multi-class cross-entropy
    descent      descent     gradient descent with one weight; batches per epoch
    descent_2d   descent     two weights: contours, two minima, optimizers, mini-batches
    backprop     backprop    backpropagation node by node on a 2-2-1 network
"""
