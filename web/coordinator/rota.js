import { heading } from "./shared.js";

export async function showRota(main) {
  main.replaceChildren(heading("Vuorot", "title"));
}
