import { heading } from "./shared.js";

export async function showTaxonomy(main) {
  main.replaceChildren(heading("Päiväkirjan luokitus", "title"));
}
