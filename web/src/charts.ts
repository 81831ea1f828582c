/**
 * Chart.js (bundled at build time, tree-shaken to what the page draws). Colour is never the only
 * signal: each series also has its own point marker, line dash or fill pattern, and a legend.
 * Every chart has a text alternative (aria-label with the figures, and the table beside it).
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  type ChartDataset,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
Chart.defaults.font.size = 13;
Chart.defaults.color = '#1f2933';
Chart.defaults.animation = false;

/** Okabe-Ito: distinguishable with the common colour-vision deficiencies. */
export const COLOURS = { blue: '#0072B2', orange: '#D55E00', green: '#009E73', amber: '#E69F00', sky: '#56B4E9', grey: '#4b5563' };

/** Diagonal hatching (a fill that reads without colour). */
export function hatch(colour: string, background = '#ffffff'): CanvasPattern | string {
  const tile = document.createElement('canvas');
  tile.width = 8;
  tile.height = 8;
  const ctx = tile.getContext('2d');
  if (!ctx) return colour;
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, 8, 8);
  ctx.strokeStyle = colour;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(0, 8);
  ctx.lineTo(8, 0);
  ctx.moveTo(-2, 2);
  ctx.lineTo(2, -2);
  ctx.moveTo(6, 10);
  ctx.lineTo(10, 6);
  ctx.stroke();
  return ctx.createPattern(tile, 'repeat') ?? colour;
}

/** Dots (a second fill that reads without colour). */
export function dots(colour: string, background = '#ffffff'): CanvasPattern | string {
  const tile = document.createElement('canvas');
  tile.width = 6;
  tile.height = 6;
  const ctx = tile.getContext('2d');
  if (!ctx) return colour;
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, 6, 6);
  ctx.fillStyle = colour;
  ctx.beginPath();
  ctx.arc(3, 3, 1.6, 0, Math.PI * 2);
  ctx.fill();
  return ctx.createPattern(tile, 'repeat') ?? colour;
}

const charts = new Map<HTMLCanvasElement, Chart>();

export function clearChart(canvas: HTMLCanvasElement): void {
  charts.get(canvas)?.destroy();
  charts.delete(canvas);
  canvas.removeAttribute('aria-label');
  canvas.closest('.chart-box')?.setAttribute('hidden', '');
}

/** Draws (or redraws) a chart on a canvas, with its figures as the canvas's accessible name. */
export function drawChart(canvas: HTMLCanvasElement, config: ChartConfiguration, textAlternative: string): Chart {
  clearChart(canvas);
  canvas.closest('.chart-box')?.removeAttribute('hidden');
  canvas.setAttribute('aria-label', textAlternative);
  const tableId = canvas.closest('section')?.querySelector('table')?.id;
  if (tableId) canvas.setAttribute('aria-describedby', tableId);
  const base: ChartConfiguration['options'] = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: { legend: { position: 'bottom', labels: { usePointStyle: true, boxWidth: 28, padding: 14 } } },
  };
  const chart = new Chart(canvas, { ...config, options: { ...base, ...config.options, plugins: { ...base.plugins, ...config.options?.plugins } } });
  charts.set(canvas, chart);
  return chart;
}

/** A flat line at a target value across every label (drawn as a dashed series with its own legend entry). */
export function targetLine(label: string, value: number, count: number): ChartDataset<'line'> {
  return {
    type: 'line',
    label,
    data: Array.from({ length: count }, () => value),
    borderColor: COLOURS.grey,
    borderDash: [2, 4],
    borderWidth: 2,
    pointRadius: 0,
    pointHitRadius: 0,
    pointStyle: 'line',
    fill: false,
  };
}
