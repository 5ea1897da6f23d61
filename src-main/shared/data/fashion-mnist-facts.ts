/**
 * Fashion-MNIST's fixed facts (Xiao, Rasul & Vollgraf 2017,
 * https://github.com/zalandoresearch/fashion-mnist): what the run schema's
 * limits, the GUI's placeholders and the IDX reader's checks agree on.
 */

/** Class names in label order (the dataset README's "Labels" table). */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

/** How many classes: the width of every network's last layer. */
export const NUM_CLASSES = 10;
// The names above are exactly that many (a compile-time check).
FASHION_MNIST_CLASSES.length satisfies typeof NUM_CLASSES;

/** Every image is this many pixels on a side. */
export const FASHION_MNIST_SIDE = 28;

/** The split sizes: what a run without limits trains and tests on. */
export const FASHION_MNIST_SPLIT_SIZES = { train: 60000, test: 10000 } as const;
