package io.amptalk.monitoring.bench;

import io.amptalk.monitoring.bench.Report.Result;
import io.amptalk.monitoring.bench.Report.Table;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * A horizontal bar chart of one benchmark class, drawn with Java2D (run headless): a row per
 * benchmark, a bar per thread count with JMH's error as a whisker, ours in orange and the peers in
 * blue, with our score as a dashed line across the panel so each peer reads against it. A second
 * panel shows the bytes allocated per operation when {@code -prof gc} ran. Scores that span more
 * than {@value #LOG_SPAN}× are drawn on a log scale, and the axis says so.
 */
final class BarChart {
  static final int LOG_SPAN = 50;

  private static final int WIDTH_PER_PANEL = 520;
  private static final int BAR = 16;
  private static final int BAR_GAP = 3;
  private static final int ROW_PAD = 14;
  private static final int MARGIN = 20;
  private static final Color[] OURS = {new Color(0xE8710A), new Color(0xF5B27A)};
  private static final Color[] PEERS = {new Color(0x1A73E8), new Color(0x8AB4F8)};
  private static final Color INK = new Color(0x202124);
  private static final Color GRID = new Color(0xE0E0E0);
  private static final Color REFERENCE = new Color(0x5F6368);
  private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);
  private static final Font TEXT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
  private static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

  private BarChart() {}

  /** A panel: what it plots of each result, and its axis title. */
  private record Panel(
      String axis, ToDoubleFunction<Result> value, ToDoubleFunction<Result> error, boolean log) {}

  /**
   * Draws {@code table} into {@code file} (PNG).
   *
   * @param references dashed lines to draw on the time panel, by label, in the table's time unit
   */
  static void write(Table table, String title, Map<String, Double> references, File file) {
    List<Result> all = new ArrayList<>();
    table.cells.values().forEach(m -> all.addAll(m.values()));
    String unit = Report.unit(all.get(0).unit());
    String better = all.get(0).mode().equals("thrpt") ? "higher is better" : "lower is better";
    double min = all.stream().mapToDouble(Result::score).filter(v -> v > 0).min().orElse(1);
    double max = all.stream().mapToDouble(Result::score).max().orElse(1);
    boolean log = max / min > LOG_SPAN;
    List<Panel> panels = new ArrayList<>();
    panels.add(
        new Panel(
            unit + ", " + better + (log ? " (log scale)" : ""), Result::score, Result::error, log));
    // A single shot's allocation figure is mostly noise (JMH's error exceeds the value).
    if (table.hasAlloc() && !all.get(0).mode().equals("ss")) {
      panels.add(
          new Panel(
              "bytes allocated per op (B/op), lower is better",
              r -> r.alloc() == null ? Double.NaN : r.alloc(),
              r -> r.allocError() == null ? Double.NaN : r.allocError(),
              false));
    }

    List<Integer> threads = new ArrayList<>(table.threadCounts);
    BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    Graphics2D measure = probe.createGraphics();
    int labelWidth = 0;
    for (String row : table.rows) {
      // Measured in the font it is drawn in: ours are bold, and wider.
      labelWidth =
          Math.max(labelWidth, measure.getFontMetrics(rowFont(table, row)).stringWidth(row));
    }
    measure.dispose();

    int rowHeight = threads.size() * (BAR + BAR_GAP) - BAR_GAP + ROW_PAD;
    int top = 78;
    int plotHeight = table.rows.size() * rowHeight;
    int height = top + plotHeight + 58;
    int left = MARGIN + labelWidth + 12;
    int width = left + panels.size() * WIDTH_PER_PANEL + MARGIN;

    draw(
        width,
        height,
        title,
        file,
        g -> {
          legend(g, table, threads, MARGIN, 52);

          g.setFont(TEXT);
          FontMetrics fm = g.getFontMetrics();
          for (int r = 0; r < table.rows.size(); r++) {
            String row = table.rows.get(r);
            int y = top + r * rowHeight + ROW_PAD / 2;
            int middle =
                y + (threads.size() * (BAR + BAR_GAP) - BAR_GAP) / 2 + fm.getAscent() / 2 - 2;
            g.setColor(INK);
            g.setFont(rowFont(table, row));
            g.drawString(row, left - 12 - g.getFontMetrics().stringWidth(row), middle);
          }
          for (int p = 0; p < panels.size(); p++) {
            int x0 = left + p * WIDTH_PER_PANEL + (p == 0 ? 0 : 30);
            int x1 = left + (p + 1) * WIDTH_PER_PANEL - 30;
            panel(
                g,
                table,
                threads,
                panels.get(p),
                p == 0 ? references : Map.of(),
                x0,
                x1,
                top,
                rowHeight);
          }
        });
  }

  /**
   * A white image of that size with {@code title} at its top left, on which {@code body} draws
   * (antialiased), written to {@code file} as PNG: what every chart of the bench starts and ends
   * with.
   */
  static void draw(int width, int height, String title, File file, Consumer<Graphics2D> body) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      g.setColor(INK);
      g.setFont(TITLE);
      g.drawString(title, MARGIN, 26);
      body.accept(g);
    } finally {
      g.dispose();
    }
    try {
      ImageIO.write(image, "png", file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Font rowFont(Table table, String row) {
    return table.isOurs(row) && !table.allOurs() ? TEXT.deriveFont(Font.BOLD) : TEXT;
  }

  private static void legend(Graphics2D g, Table table, List<Integer> threads, int x, int y) {
    g.setFont(TEXT);
    FontMetrics fm = g.getFontMetrics();
    List<String> labels = new ArrayList<>();
    List<Color> colors = new ArrayList<>();
    for (int t = 0; t < threads.size(); t++) {
      String suffix =
          threads.size() == 1
              ? ""
              : ", " + threads.get(t) + (threads.get(t) == 1 ? " thread" : " threads");
      if (table.hasOurs() || table.allOurs()) {
        labels.add((table.allOurs() ? "amptalk" : "amptalk (ours)") + suffix);
        colors.add(OURS[t % OURS.length]);
      }
      if (!table.allOurs()) {
        labels.add("peers" + suffix);
        colors.add(PEERS[t % PEERS.length]);
      }
    }
    for (int i = 0; i < labels.size(); i++) {
      g.setColor(colors.get(i));
      g.fillRect(x, y - 11, 12, 12);
      g.setColor(INK);
      g.drawString(labels.get(i), x + 17, y);
      x += 17 + fm.stringWidth(labels.get(i)) + 22;
    }
    g.setColor(REFERENCE);
    g.drawString("whiskers: ± JMH error (99.9 %)", x, y);
  }

  private static void panel(
      Graphics2D g,
      Table table,
      List<Integer> threads,
      Panel panel,
      Map<String, Double> references,
      int x0,
      int x1,
      int top,
      int rowHeight) {
    int bottom = top + table.rows.size() * rowHeight;
    double hi = 0;
    double lo = Double.MAX_VALUE;
    for (Map<Integer, Result> cells : table.cells.values()) {
      for (Result r : cells.values()) {
        double v = panel.value().applyAsDouble(r);
        double e = panel.error().applyAsDouble(r);
        if (!Double.isNaN(v)) {
          // A whisker may reach past the axis (it is then cut, with an arrow), but the axis
          // never grows beyond twice the largest score: the bars stay readable.
          hi = Math.max(hi, v + (Double.isNaN(e) ? 0 : Math.min(e, v)));
          if (v > 0) {
            lo = Math.min(lo, v);
          }
        }
      }
    }
    for (double reference : references.values()) {
      hi = Math.max(hi, reference);
    }
    Scale scale =
        panel.log()
            ? Scale.log(lo, hi * 1.3, x0, x1)
            : Scale.linear(hi <= 0 ? 1 : hi * 1.15, x0, x1);

    // Grid and ticks.
    g.setFont(SMALL);
    FontMetrics small = g.getFontMetrics();
    for (double tick : scale.ticks()) {
      int x = scale.x(tick);
      g.setColor(GRID);
      g.drawLine(x, top, x, bottom);
      g.setColor(INK);
      String label = compact(tick);
      g.drawString(label, x - small.stringWidth(label) / 2, bottom + 16);
    }
    g.setColor(INK);
    g.drawLine(x0, bottom, x1, bottom);
    g.drawLine(x0, top, x0, bottom);
    g.setFont(TEXT);
    FontMetrics fm = g.getFontMetrics();
    g.drawString(panel.axis(), (x0 + x1 - fm.stringWidth(panel.axis())) / 2, bottom + 40);

    // Our score at each thread count, dashed across the panel.
    Stroke solid = g.getStroke();
    Stroke dashed =
        new BasicStroke(
            1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {5, 4}, 0);
    if (table.hasOurs()) {
      for (int t = 0; t < threads.size(); t++) {
        Result ours = table.get(Report.OURS, threads.get(t));
        if (ours != null && !Double.isNaN(panel.value().applyAsDouble(ours))) {
          int x = scale.x(panel.value().applyAsDouble(ours));
          g.setColor(OURS[t % OURS.length]);
          g.setStroke(dashed);
          g.drawLine(x, top, x, bottom);
          g.setStroke(solid);
        }
      }
    }
    g.setFont(SMALL);
    for (Map.Entry<String, Double> reference : references.entrySet()) {
      int x = scale.x(reference.getValue());
      g.setColor(REFERENCE);
      g.setStroke(dashed);
      g.drawLine(x, top - 4, x, bottom);
      g.setStroke(solid);
      String label = reference.getKey();
      g.drawString(label, Math.max(x0, x - small.stringWidth(label) - 4), top - 6);
    }

    // Bars, whiskers and values.
    for (int r = 0; r < table.rows.size(); r++) {
      String row = table.rows.get(r);
      Color[] colors = table.isOurs(row) ? OURS : PEERS;
      for (int t = 0; t < threads.size(); t++) {
        Result result = table.get(row, threads.get(t));
        if (result == null) {
          continue;
        }
        double value = panel.value().applyAsDouble(result);
        if (Double.isNaN(value)) {
          continue;
        }
        double error = panel.error().applyAsDouble(result);
        int y = top + r * rowHeight + ROW_PAD / 2 + t * (BAR + BAR_GAP);
        int end = Math.max(x0 + 1, scale.x(value));
        g.setColor(colors[t % colors.length]);
        g.fillRect(x0 + 1, y, end - x0 - 1, BAR);
        int textStart = end + 5;
        boolean whiskerCut = false;
        if (!Double.isNaN(error) && error > 0) {
          int a = Math.max(x0, scale.x(value - error));
          int b = scale.x(value + error);
          whiskerCut = value + error > scale.hi();
          int cy = y + BAR / 2;
          g.setColor(INK);
          g.drawLine(a, cy, b, cy);
          g.drawLine(a, cy - 4, a, cy + 4);
          if (whiskerCut) {
            g.fillPolygon(new int[] {b + 6, b, b}, new int[] {cy, cy - 4, cy + 4}, 3);
          } else {
            g.drawLine(b, cy - 4, b, cy + 4);
            textStart = b + 5;
          }
        }
        g.setFont(SMALL);
        String label = Report.format(value);
        int textWidth = small.stringWidth(label);
        if (textStart + textWidth > x1 + 24) {
          textStart = end + 5;
        }
        if (textStart + textWidth > x1 + 24) {
          // The bar fills the panel: the value goes inside it.
          g.setColor(Color.WHITE);
          g.drawString(label, end - textWidth - 5, y + BAR - 4);
        } else {
          if (whiskerCut || textStart == end + 5) {
            // Over a whisker: on a white ground, so that the line does not cross the digits.
            g.setColor(Color.WHITE);
            g.fillRect(textStart - 2, y + 1, textWidth + 4, BAR - 2);
          }
          g.setColor(INK);
          g.drawString(label, textStart, y + BAR - 4);
        }
      }
    }
  }

  /** Numbers for tick labels: 1.5k, 2M, 0.05. */
  static String compact(double v) {
    double abs = Math.abs(v);
    if (abs >= 1e6) {
      return trim(v / 1e6) + "M";
    }
    if (abs >= 1e4) {
      return trim(v / 1e3) + "k";
    }
    return trim(v);
  }

  private static String trim(double v) {
    String s = String.format(Locale.ROOT, "%.3f", v);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  /** Maps values to x pixels, linearly from 0 or by decades. */
  private record Scale(double lo, double hi, boolean log, int x0, int x1) {
    static Scale linear(double hi, int x0, int x1) {
      return new Scale(0, hi, false, x0, x1);
    }

    static Scale log(double lo, double hi, int x0, int x1) {
      return new Scale(
          Math.pow(10, Math.floor(Math.log10(lo))),
          Math.pow(10, Math.ceil(Math.log10(hi))),
          true,
          x0,
          x1);
    }

    int x(double v) {
      double f =
          log
              ? (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))
              : v / hi;
      return (int) Math.round(x0 + Math.min(1, Math.max(0, f)) * (x1 - x0));
    }

    List<Double> ticks() {
      List<Double> ticks = new ArrayList<>();
      if (log) {
        for (double v = lo; v <= hi * 1.0001; v *= 10) {
          ticks.add(v);
        }
        return ticks;
      }
      double step = niceStep(hi / 5);
      for (double v = 0; v <= hi * 1.0001; v += step) {
        ticks.add(v);
      }
      return ticks;
    }

    private static double niceStep(double raw) {
      double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
      double fraction = raw / magnitude;
      double nice =
          fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
      return nice * magnitude;
    }
  }
}
