// Drag and drop on the Pipeline board (the state lives in PipelineState).
//
// A card ([data-deal-id]) dropped on another column ([data-stage-id]) fills the hidden move
// form (#deal-drop-form) and submits it: the server moves the deal and updates the two
// columns. Cards also have a "Move to stage" list for the keyboard and for phones.
(function () {
  if (window.waPipeline) return;
  window.waPipeline = true;
  var dragged = null;

  function column(el) {
    return el && el.closest ? el.closest("[data-stage-id]") : null;
  }

  function clearTargets() {
    document.querySelectorAll(".deal-drop-target").forEach(function (el) {
      el.classList.remove("deal-drop-target");
    });
  }

  document.addEventListener("dragstart", function (event) {
    var card = event.target && event.target.closest ? event.target.closest("[data-deal-id]") : null;
    if (!card) return;
    dragged = card;
    card.classList.add("deal-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-deal-id"));
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("deal-dragging");
    dragged = null;
    clearTargets();
  });

  document.addEventListener("dragover", function (event) {
    var target = column(event.target);
    if (!target || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!target.classList.contains("deal-drop-target")) {
      clearTargets();
      target.classList.add("deal-drop-target");
    }
  });

  document.addEventListener("drop", function (event) {
    var target = column(event.target);
    if (!target) return;
    event.preventDefault();
    clearTargets();
    var deal = event.dataTransfer.getData("text/plain") || (dragged && dragged.getAttribute("data-deal-id"));
    var stage = target.getAttribute("data-stage-id");
    var from = dragged ? dragged.getAttribute("data-stage") : null;
    if (!deal || !stage || stage === from) return;
    var form = document.getElementById("deal-drop-form");
    if (!form) return;
    document.getElementById("deal-drop-deal").value = deal;
    document.getElementById("deal-drop-stage").value = stage;
    form.requestSubmit();
  });
})();
