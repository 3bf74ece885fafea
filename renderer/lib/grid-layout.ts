/**
 * Layout of a launch's blocks in the grid view: blocks in launch order (x fastest, then y, z),
 * drawn as cells of a near-square canvas. Huge grids are drawn at one cell per group of blocks so
 * the canvas stays bounded. Pure.
 */
export interface GridLayout {
  totalBlocks: number;
  /** Blocks per drawn cell (1 unless the grid is huge). */
  blocksPerCell: number;
  cells: number;
  columns: number;
  rows: number;
}

export const MAX_CELLS = 16_384;

export function gridLayout(grid: readonly [number, number, number], maxCells = MAX_CELLS): GridLayout {
  const totalBlocks = Math.max(0, grid[0] * grid[1] * grid[2]);
  const blocksPerCell = Math.max(1, Math.ceil(totalBlocks / maxCells));
  const cells = Math.ceil(totalBlocks / blocksPerCell);
  // Keep the x extent as columns when it fits, so a 2-D grid looks like itself.
  const columns = blocksPerCell === 1 && grid[0] <= 128 && grid[1] > 1 ? grid[0] : Math.max(1, Math.ceil(Math.sqrt(cells * 2)));
  return { totalBlocks, blocksPerCell, cells, columns, rows: Math.ceil(cells / columns) };
}

/** How many drawn cells are complete when `completedBlocks` blocks have finished. */
export function filledCells(layout: GridLayout, completedBlocks: number): number {
  if (completedBlocks >= layout.totalBlocks) return layout.cells;
  return Math.floor(completedBlocks / layout.blocksPerCell);
}
