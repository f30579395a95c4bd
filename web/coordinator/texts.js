import { heading } from "./shared.js";

export async function showTexts(main) {
  main.replaceChildren(heading("Nuoren tekstit", "title"));
}
