// One chart of a run: loss (top) and accuracy / validation AUC (bottom) per epoch, sharing the epoch axis,
// with the kept epoch marked. Every number is a row of the server's history.

export function drawHistory(ctx, node, rows, bestEpoch, epochs) {
  const { cssVar } = ctx;
  const x = rows.map((r) => r.epoch);
  const train = cssVar("--slate"), val = cssVar("--purple"), good = cssVar("--good");
  const line = (key, name, colour, yaxis, dash, width = 2) => ({
    type: "scatter", mode: "lines+markers", x, y: rows.map((r) => r[key]), name, yaxis, legendgroup: name,
    line: { color: colour, width, dash }, marker: { size: 5, color: colour },
    hovertemplate: `epoch %{x}: ${name} %{y:.4f}<extra></extra>`,
  });
  const saved = rows.filter((r) => r.saved);
  const traces = [
    line("train_loss", "train loss", train, "y", "dot"),
    line("val_loss", "validation loss", val, "y", "solid", 3),
    line("train_accuracy", "train accuracy", train, "y2", "dot"),
    line("val_accuracy", "validation accuracy", val, "y2", "solid", 3),
    line("val_auc", "validation AUC (picks the best)", good, "y2", "dash"),
    { type: "scatter", mode: "markers", x: saved.map((r) => r.epoch), y: saved.map((r) => r.val_auc), yaxis: "y2",
      name: "saved (a new best AUC)", marker: { symbol: "star", size: 11, color: good },
      hovertemplate: "epoch %{x}: saved<extra></extra>" },
  ];
  const shapes = [], annotations = [];
  if (bestEpoch) {
    shapes.push({ type: "line", xref: "x", yref: "paper", x0: bestEpoch, x1: bestEpoch, y0: 0, y1: 1,
      line: { color: good, width: 2 } });
    annotations.push({ xref: "x", yref: "paper", x: bestEpoch, y: 1, yanchor: "bottom", showarrow: false,
      text: `best: epoch ${bestEpoch} — saved`, font: { color: good, size: 12 }, bgcolor: cssVar("--panel") });
  }
  ctx.plot(node, traces, {
    showlegend: true, legend: { orientation: "h", x: 0, y: -0.3, yanchor: "top" },
    margin: { l: 52, r: 12, t: 24, b: 30 }, hovermode: "x unified",
    xaxis: { anchor: "y2", title: { text: "epoch" }, range: [0.5, Math.max(epochs, x.length) + 0.5], dtick: epochs > 15 ? 2 : 1 },
    yaxis: { domain: [0.55, 1], title: { text: "loss" }, rangemode: "tozero" },
    yaxis2: { domain: [0, 0.45], title: { text: "accuracy, AUC" }, range: [0.4, 1.02] },
    shapes, annotations,
  });
}
