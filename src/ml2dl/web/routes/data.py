"""Step ``data`` API: data as numbers (``ml2dl.lessons.data``, ``ml2dl.lessons.words``).

    GET  /api/data/row                      the lecture's row (193, 224, 27) as a feature vector
    POST /api/data/pixels {source, index, row, col, size}   a grey image's 0–255 grid and a crop
    GET  /api/data/colour                   the fundus photograph as red, green and blue grids
    GET  /api/data/words                    word vectors from ml2dl's corpus, in 2-D, and how they were made
    POST /api/data/neighbours {word, k}     a word's nearest words by cosine similarity

The chest images: the ``.npz`` given with ``ml2dl serve --data``, else synthetic phantoms
(the same held-out set as step 5, prepared once per server).
"""

from __future__ import annotations

from fastapi import APIRouter

from ml2dl.lessons import data as lesson
from ml2dl.lessons import words
from ml2dl.web import prepared
from ml2dl.web.deps import SettingsDep
from ml2dl.web.schemas.beyond import (ColourResult, NeighboursRequest, NeighboursResult, PixelsRequest,
                                      PixelsResult, RowResult, WordsResult)

router = APIRouter(prefix="/api/data", tags=["data"])


@router.get("/row", response_model=RowResult)
async def row() -> dict:
    """A patient as three numbers."""
    return lesson.row()


@router.post("/pixels", response_model=PixelsResult)
async def pixels(req: PixelsRequest, settings: SettingsDep) -> dict:
    """A grey image as numbers, with a crop to zoom into."""
    data = await prepared.step_images_async(settings) if req.source == "chest" else None
    return lesson.pixels(req.source, req.index, req.row, req.col, req.size, data=data)


@router.get("/colour", response_model=ColourResult)
async def colour() -> dict:
    """A colour photograph as three grids."""
    return lesson.colour()


@router.get("/words", response_model=WordsResult)
async def word_map() -> dict:
    """Every word of the corpus's vocabulary in 2-D."""
    return words.words()


@router.post("/neighbours", response_model=NeighboursResult)
async def neighbours(req: NeighboursRequest) -> dict:
    """The nearest words to one word, by cosine similarity of their vectors."""
    return words.neighbours(req.word, req.k)
