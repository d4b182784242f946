// Houqin: behaviour without inline script (the CSP allows no inline handlers).
document.addEventListener("submit", (event) => {
  const form = event.target;
  // Ask before irreversible actions.
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    return;
  }
  // A second click on a slow connection must not submit twice.
  if (form.hasAttribute("data-once")) {
    if (form.dataset.submitted === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.submitted = "1";
    form.querySelectorAll("button[type=submit]").forEach((b) => b.classList.add("disabled"));
  }
});

// An inspection item's note, photo and save button, on demand (they show by themselves for
// a hazard; see houqin.css).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-item-more]");
  const item = button && button.closest(".inspection-item");
  if (!item) return;
  item.classList.add("extra-open");
  const note = item.querySelector(".item-extra textarea");
  if (note) note.focus();
});
