package io.amptalk.monitoring.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Stroke;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * Panels of lines on log-log axes, drawn with Java2D beside {@link BarChart}: a line per library
 * and measure, x the number of series, ours in orange and each peer in a blue or grey of its own; a
 * second measure of the same library (over HTTP beside in-process, say) is dashed.
 */
final class LineChart {
  private static final int PANEL_WIDTH = 420;
  private static final int PANEL_HEIGHT = 320;
  private static final int MARGIN = 20;
  private static final Color OURS = new Color(0xE8710A);
  private static final Color[] PEERS = {
    new Color(0x1A73E8), new Color(0x188038), new Color(0x9334E6), new Color(0x5F6368)
  };
  private static final Color INK = new Color(0x202124);
  private static final Color GRID = new Color(0xE0E0E0);
  private static final Font TEXT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
  private static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

  private LineChart() {}

  /** One line: a library's values by series count; {@code dashed} for the second measure. */
  record Line(String library, boolean dashed, NavigableMap<Integer, Double> points) {}

  /** One panel: its axis title and lines. */
  record Panel(String axis, List<Line> lines) {}

  /**
   * Draws the panels side by side into {@code file} (PNG).
   *
   * @param libraries the libraries in legend order, ours ({@link Report#OURS}) first
   * @param styles what the solid and the dashed lines stand for, for the legend
   */
  static void write(
      String title, List<String> libraries, String[] styles, List<Panel> panels, File file) {
    int top = 84;
    int width = 2 * MARGIN + panels.size() * (PANEL_WIDTH + 70);
    int height = top + PANEL_HEIGHT + 70;
    BarChart.draw(
        width,
        height,
        title,
        file,
        g -> {
          legend(g, libraries, styles, MARGIN, 54);
          for (int p = 0; p < panels.size(); p++) {
            int x0 = MARGIN + 60 + p * (PANEL_WIDTH + 70);
            panel(g, libraries, panels.get(p), x0, x0 + PANEL_WIDTH, top, top + PANEL_HEIGHT);
          }
        });
  }

  private static Color color(List<String> libraries, String library) {
    if (library.equals(Report.OURS)) {
      return OURS;
    }
    int peer = Math.max(0, libraries.indexOf(library) - (libraries.contains(Report.OURS) ? 1 : 0));
    return PEERS[peer % PEERS.length];
  }

  private static Stroke stroke(boolean dashed) {
    return dashed
        ? new BasicStroke(
            2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10, new float[] {7, 5}, 0)
        : new BasicStroke(2.4f);
  }

  private static void legend(Graphics2D g, List<String> libraries, String[] styles, int x, int y) {
    g.setFont(TEXT);
    FontMetrics fm = g.getFontMetrics();
    Stroke solid = g.getStroke();
    for (String library : libraries) {
      g.setColor(color(libraries, library));
      g.setStroke(stroke(false));
      g.drawLine(x, y - 5, x + 22, y - 5);
      g.setStroke(solid);
      g.setColor(INK);
      String label = library.equals(Report.OURS) ? "amptalk (ours)" : library;
      g.setFont(library.equals(Report.OURS) ? TEXT.deriveFont(Font.BOLD) : TEXT);
      g.drawString(label, x + 27, y);
      x += 27 + g.getFontMetrics().stringWidth(label) + 20;
    }
    g.setFont(TEXT);
    for (int i = 0; i < styles.length; i++) {
      g.setColor(INK);
      g.setStroke(stroke(i == 1));
      g.drawLine(x, y - 5, x + 22, y - 5);
      g.setStroke(solid);
      g.drawString(styles[i], x + 27, y);
      x += 27 + fm.stringWidth(styles[i]) + 20;
    }
  }

  private static void panel(
      Graphics2D g, List<String> libraries, Panel panel, int x0, int x1, int y0, int y1) {
    double xLo = Double.MAX_VALUE;
    double xHi = 0;
    double yLo = Double.MAX_VALUE;
    double yHi = 0;
    for (Line line : panel.lines()) {
      for (Map.Entry<Integer, Double> point : line.points().entrySet()) {
        if (point.getValue() > 0) {
          xLo = Math.min(xLo, point.getKey());
          xHi = Math.max(xHi, point.getKey());
          yLo = Math.min(yLo, point.getValue());
          yHi = Math.max(yHi, point.getValue());
        }
      }
    }
    if (yHi == 0) {
      return;
    }
    double xMin = Math.pow(10, Math.floor(Math.log10(xLo)));
    double xMax = Math.pow(10, Math.ceil(Math.log10(xHi)));
    double yMin = Math.pow(10, Math.floor(Math.log10(yLo)));
    double yMax = Math.pow(10, Math.ceil(Math.log10(yHi)));
    if (xMax == xMin) {
      xMax *= 10;
    }
    if (yMax == yMin) {
      yMax *= 10;
    }
    g.setFont(SMALL);
    FontMetrics small = g.getFontMetrics();
    // Decades, with the 2 and 5 in between on the y axis, which often spans one decade only.
    for (double v = xMin; v <= xMax * 1.0001; v *= 10) {
      int x = x(v, xMin, xMax, x0, x1);
      g.setColor(GRID);
      g.drawLine(x, y0, x, y1);
      g.setColor(INK);
      String label = BarChart.compact(v);
      g.drawString(label, x - small.stringWidth(label) / 2, y1 + 15);
    }
    for (double decade = yMin; decade < yMax * 1.0001; decade *= 10) {
      for (double step : new double[] {1, 2, 5}) {
        double v = decade * step;
        if (v > yMax * 1.0001) {
          break;
        }
        int y = y(v, yMin, yMax, y0, y1);
        g.setColor(step == 1 ? GRID : new Color(0xF1F3F4));
        g.drawLine(x0, y, x1, y);
        g.setColor(INK);
        String label = BarChart.compact(v);
        g.drawString(label, x0 - 6 - small.stringWidth(label), y + 4);
      }
    }
    g.setColor(INK);
    g.drawRect(x0, y0, x1 - x0, y1 - y0);
    g.setFont(TEXT);
    FontMetrics fm = g.getFontMetrics();
    String xAxis = "series (log scale)";
    g.drawString(xAxis, (x0 + x1 - fm.stringWidth(xAxis)) / 2, y1 + 34);
    g.drawString(panel.axis(), (x0 + x1 - fm.stringWidth(panel.axis())) / 2, y1 + 54);

    Stroke solid = g.getStroke();
    List<Line> ordered = new ArrayList<>(panel.lines());
    // Ours last, on top.
    ordered.sort(
        (a, b) ->
            Boolean.compare(a.library().equals(Report.OURS), b.library().equals(Report.OURS)));
    for (Line line : ordered) {
      g.setColor(color(libraries, line.library()));
      g.setStroke(stroke(line.dashed()));
      int lastX = -1;
      int lastY = -1;
      for (Map.Entry<Integer, Double> point : line.points().entrySet()) {
        if (!(point.getValue() > 0)) {
          continue;
        }
        int x = x(point.getKey(), xMin, xMax, x0, x1);
        int y = y(point.getValue(), yMin, yMax, y0, y1);
        if (lastX >= 0) {
          g.drawLine(lastX, lastY, x, y);
        }
        g.fillOval(x - 3, y - 3, 7, 7);
        lastX = x;
        lastY = y;
      }
      g.setStroke(solid);
    }
  }

  private static int x(double v, double lo, double hi, int x0, int x1) {
    double f = (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
    return (int) Math.round(x0 + f * (x1 - x0));
  }

  private static int y(double v, double lo, double hi, int y0, int y1) {
    double f = (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
    return (int) Math.round(y1 - f * (y1 - y0));
  }
}
