// Knapsack ballot: keep the running total of the chosen projects up to date (the server checks it again).
(function () {
  var form = document.querySelector("form.ballot[data-kind='knapsack']");
  if (!form) { return; }
  var output = form.querySelector("output[name='total']");
  var pot = parseInt(form.getAttribute("data-pot"), 10);
  var fmt = new Intl.NumberFormat("da-DK");
  function update() {
    var total = 0;
    form.querySelectorAll("input[name='projekt']:checked").forEach(function (box) {
      total += parseInt(box.getAttribute("data-cost"), 10);
    });
    output.textContent = output.getAttribute("data-template").replace("TOTAL", fmt.format(total) + " kr");
    output.classList.toggle("over", total > pot);
  }
  form.addEventListener("change", update);
})();
