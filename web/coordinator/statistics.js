import { heading } from "./shared.js";

export async function showStatistics(main) {
  main.replaceChildren(heading("Tilastot", "title"));
}
