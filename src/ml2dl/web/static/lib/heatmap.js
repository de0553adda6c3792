// The one heatmap painter: a grid of numbers onto a canvas, one colour per cell.

/**
 * paintHeatmap(canvas, grid, colour, options) — paint grid[i][j] (rows × cols numbers) with
 * colour(value) -> [r, g, b].
 *
 * options:
 *   fit     "grid" (default): the canvas becomes cols × rows pixels, one per cell (CSS scales it;
 *           use `image-rendering: pixelated` for sharp cells);
 *           "canvas": the grid is drawn over the canvas's own width × height
 *   smooth  with fit "canvas": interpolate between cells (true) or keep square cells (false, default)
 *   flipY   row 0 at the bottom (a plot's y axis) instead of the top (an image's rows)
 */
export function paintHeatmap(canvas, grid, colour, { fit = "grid", smooth = false, flipY = false } = {}) {
  const rows = grid.length, cols = grid[0].length;
  const target = fit === "grid" ? canvas : document.createElement("canvas");
  target.width = cols;
  target.height = rows;
  const g = target.getContext("2d");
  const img = g.createImageData(cols, rows);
  for (let i = 0; i < rows; i++) {
    const row = grid[i];
    const y = flipY ? rows - 1 - i : i;
    for (let j = 0; j < cols; j++) {
      const [r, gr, b] = colour(row[j]);
      const k = (y * cols + j) * 4;
      img.data[k] = r; img.data[k + 1] = gr; img.data[k + 2] = b; img.data[k + 3] = 255;
    }
  }
  g.putImageData(img, 0, 0);
  if (fit === "grid") return;
  const out = canvas.getContext("2d");
  out.imageSmoothingEnabled = smooth;
  if (smooth) out.imageSmoothingQuality = "high";
  out.drawImage(target, 0, 0, canvas.width, canvas.height);
}
